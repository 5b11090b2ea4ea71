-- 审管交互, the flow back: a decision document number (决定书文号) names one
-- decision of one regulator. The same number recorded twice by the same
-- department is refused (the application says so first; this index holds
-- when two entries race).
CREATE UNIQUE INDEX handover_sanctions_decision_no ON handover_sanctions (regulator_department_id, decision_no);
