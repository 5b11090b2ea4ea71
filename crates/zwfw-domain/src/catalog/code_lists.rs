//! The national code lists of an item (GB/T 39046 A.1–A.6).

use crate::codes::code_list;

code_list!(
    /// A.1 事项类型代码
    ItemType {
        AdministrativePower = "00": "行政权力事项",
        Licensing = "01": "行政许可",
        Penalty = "02": "行政处罚",
        Enforcement = "03": "行政强制",
        Levy = "04": "行政征收",
        Benefit = "05": "行政给付",
        Inspection = "06": "行政检查",
        Confirmation = "07": "行政确认",
        Reward = "08": "行政奖励",
        Adjudication = "09": "行政裁决",
        Other = "10": "其他类别事项",
        InternalApproval = "11": "政府内部审批",
        PublicService = "20": "公共服务事项",
    }
);

code_list!(
    /// A.2 行使层级代码
    ExerciseLevel {
        National = "1": "国家级",
        Provincial = "2": "省级",
        Municipal = "3": "市级",
        County = "4": "县级",
        Town = "5": "镇（乡、街道）级",
        Village = "6": "村（社区）级",
        Graded = "7": "分级管理",
    }
);

code_list!(
    /// A.3 实施主体性质代码
    SubjectNature {
        StatutoryAgency = "1": "法定机关",
        Authorized = "2": "授权组织",
        Entrusted = "3": "受委托组织",
        Other = "9": "其他",
    }
);

code_list!(
    /// A.4 服务对象代码
    ServiceObject {
        NaturalPerson = "1": "自然人",
        Enterprise = "2": "企业法人",
        PublicInstitution = "3": "事业法人",
        SocialOrganization = "4": "社会组织法人",
        Agency = "5": "行政机关",
        OtherOrganization = "6": "其他组织",
    }
);

code_list!(
    /// A.5 办理形式代码
    HandlingMode {
        Counter = "1": "窗口办理",
        OnlinePc = "2": "电脑端网上办理",
        OnlineMobile = "3": "移动端网上申请",
        Courier = "4": "快递申请",
        Other = "9": "其他",
    }
);

code_list!(
    /// A.6 办件类型代码
    CaseType {
        Immediate = "1": "即办件",
        Promised = "2": "承诺件",
        Other = "9": "其他",
    }
);

code_list!(
    /// 人生事件 and 企业生命周期: how the portal groups items by what an
    /// applicant is going through (a person's life events first, then a
    /// company's), beside the free-text 服务主题.
    LifeEvent {
        Birth = "birth": "生育",
        Schooling = "schooling": "上学",
        Employment = "employment": "就业",
        Marriage = "marriage": "婚姻",
        Housing = "housing": "住房",
        Documents = "documents": "办证",
        SocialSecurity = "social_security": "社保",
        Retirement = "retirement": "退休养老",
        StartBusiness = "start_business": "开办企业",
        Operation = "operation": "经营",
        Construction = "construction": "工程建设",
    }
);

impl LifeEvent {
    /// The events of a person's life, shown first on the portal.
    pub const PERSONAL: &'static [Self] = &[
        Self::Birth,
        Self::Schooling,
        Self::Employment,
        Self::Marriage,
        Self::Housing,
        Self::Documents,
        Self::SocialSecurity,
        Self::Retirement,
    ];
}
