//! The texts of 补录 (the later entry of paper cases after a fault).

/// Chinese text for a 补录 error code and its detail, if the code is one of the area's.
pub fn backfill_text(code: &str, detail: Option<&str>) -> Option<String> {
    let t = match (code, detail) {
        ("backfill_at_invalid", _) => "请填写纸质办理的实际日期和时间",
        ("backfill_fault_unknown", _) => "请选择该办件纸质办理时所属的平台故障",
        ("backfill_in_future", _) => "补录的实际办理时间不能晚于现在",
        ("backfill_not_covered", Some(f)) => {
            return Some(format!("故障{f}不影响您所在的部门：只能补录影响本部门的故障期间纸质办理的办件"))
        }
        ("backfill_fault_unconfirmed", _) => {
            "该故障尚未经政务服务中心确认受理：只有确认的故障期间才能补录纸质办理的办件"
        }
        ("backfill_not_covered", None) => "该故障不影响您所在的部门：只能补录影响本部门的故障期间纸质办理的办件",
        ("backfill_outside_fault", Some(d)) => {
            let mut p = d.splitn(3, '|');
            let (fault, since, until) = (p.next().unwrap_or(""), p.next().unwrap_or(""), p.next().unwrap_or(""));
            let until = if until.is_empty() { "现在（尚未排除）".to_string() } else { until.to_string() };
            return Some(format!(
                "补录的实际办理时间不在故障{fault}期间（{since}至{until}）：只有故障期间纸质办理的业务可以补录"
            ));
        }
        ("backfill_outside_fault", None) => "补录的实际办理时间不在所选故障期间：只有故障期间纸质办理的业务可以补录",
        ("backfill_before_last_event", Some(at)) => {
            return Some(format!("补录的实际办理时间不能早于该办件的上一条办理记录（{at}），办理记录须按时间先后排列"))
        }
        ("backfill_before_last_event", None) => "补录的实际办理时间不能早于该办件的上一条办理记录",
        ("backfill_paper_no_missing", _) => "请填写纸质文书编号",
        ("backfill_paper_no_too_long", _) => "纸质文书编号不能超过60字，且不能含有控制字符",
        ("backfill_application_repeated", Some(no)) => {
            return Some(format!("该纸质申请已补录为办件{no}：同一事项的同一纸质文书编号只能补录一次，不会重复立案"))
        }
        ("backfill_application_repeated", None) => {
            "该纸质申请已补录：同一事项的同一纸质文书编号只能补录一次，不会重复立案"
        }
        ("backfill_not_enterable", _) => {
            "该操作不能补录：可补录受理、不予受理、补正告知、各环节办理、退回、延期、特别程序、会办意见、办结和送达"
        }
        ("staff_only", Some("backfill")) => "补录由部门工作人员办理",
        ("supervision_reads_only", Some("backfill")) => "监察人员只能查看补录记录，不能补录",
        ("not_in_department", Some("backfill")) => "补录须由所属部门的工作人员办理",
        _ => return None,
    };
    Some(t.to_string())
}
