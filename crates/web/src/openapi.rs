//! The OpenAPI 3 document of `/api/v1`, generated from one route table. The committed
//! copy (`docs/openapi.json`) is compared with it by a test, and every route in the table
//! is checked to exist in the router, so the document cannot drift from the code.

use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy)]
pub enum In {
    Path,
    Query,
}

#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub at: In,
    /// "integer", "string" or "boolean".
    pub ty: &'static str,
    pub required: bool,
    pub description: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct ApiRoute {
    pub method: &'static str,
    /// As axum writes it (`/orgs/{id}`), below `/api/v1`.
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    /// The request body's schema (a name in `components.schemas`), if any.
    pub body: Option<&'static str>,
    /// The success status and its schema name.
    pub status: u16,
    pub response: Option<&'static str>,
    /// Whether a bearer token is required.
    pub auth: bool,
}

const ORG: Param = Param {
    name: "org",
    at: In::Query,
    ty: "string",
    required: false,
    description: "党组织：id、组织代码或唯一的完整名称（默认为本人所属组织）",
};
const ID: Param = Param {
    name: "id",
    at: In::Path,
    ty: "integer",
    required: true,
    description: "id",
};
const Q: Param = Param {
    name: "q",
    at: In::Query,
    ty: "string",
    required: false,
    description: "姓名或名称的一部分；党员查询也可填完整的18位公民身份号码（精确匹配）",
};
const PAGE: Param = Param {
    name: "page",
    at: In::Query,
    ty: "integer",
    required: false,
    description: "页码，从1开始",
};
const PAGE_SIZE: Param = Param {
    name: "page_size",
    at: In::Query,
    ty: "integer",
    required: false,
    description: "每页条数（1–200，默认20）",
};

const YEAR: Param = Param {
    name: "year",
    at: In::Query,
    ty: "integer",
    required: false,
    description: "年度（默认为今年）",
};
const ORG_KEY: Param = Param {
    name: "id",
    at: In::Path,
    ty: "string",
    required: true,
    description: "党组织 id 或组织代码",
};

/// Every route of the API.
pub const ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "post",
        path: "/auth/login",
        tag: "auth",
        summary: "登录，取得令牌（已绑定动态验证码的账号须同时提交 totp；连续失败将锁定账号）",
        params: &[],
        body: Some("LoginRequest"),
        status: 200,
        response: Some("Token"),
        auth: false,
    },
    ApiRoute {
        method: "post",
        path: "/auth/logout",
        tag: "auth",
        summary: "注销令牌",
        params: &[],
        body: None,
        status: 204,
        response: None,
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/auth/password",
        tag: "auth",
        summary: "修改本人密码（需当前密码；密码超过有效期时其他接口均回答 403，直至修改）",
        params: &[],
        body: Some("PasswordChange"),
        status: 204,
        response: None,
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/me",
        tag: "auth",
        summary: "当前用户",
        params: &[],
        body: None,
        status: 200,
        response: Some("Me"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/dashboard",
        tag: "reports",
        summary: "工作台：本级及下级的数量、组织设置问题、覆盖率、党员队伍结构",
        params: &[ORG],
        body: None,
        status: 200,
        response: Some("Dashboard"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/orgs",
        tag: "orgs",
        summary: "按名称查找党组织（最多50个）；不带 q 时返回组织树的顶层",
        params: &[Q],
        body: None,
        status: 200,
        response: Some("OrgList"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/orgs/{id}",
        tag: "orgs",
        summary: "党组织详情：基本信息、统计、问题、下级、直属党员第一页、单位、职务、沿革",
        params: &[ID],
        body: None,
        status: 200,
        response: Some("OrgView"),
        auth: true,
    },
    ApiRoute {
        method: "put",
        path: "/orgs/{id}",
        tag: "orgs",
        summary: "修改党组织信息（须填原因）",
        params: &[ID],
        body: Some("OrgWrite"),
        status: 200,
        response: Some("OrgView"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/orgs/{id}/children",
        tag: "orgs",
        summary: "下级党组织（组织树逐级展开）",
        params: &[ID],
        body: None,
        status: 200,
        response: Some("OrgList"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/children",
        tag: "orgs",
        summary: "新建下级党组织（检查隶属关系，须填原因）",
        params: &[ID],
        body: Some("OrgWrite"),
        status: 201,
        response: Some("Created"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/move",
        tag: "orgs",
        summary: "调整隶属关系（连同下级、党员和单位）",
        params: &[ID],
        body: Some("OrgAction"),
        status: 200,
        response: Some("OrgView"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/merge",
        tag: "orgs",
        summary: "并入另一党组织（下级、党员、单位转入，本组织撤销）",
        params: &[ID],
        body: Some("OrgAction"),
        status: 200,
        response: Some("OrgView"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/dissolve",
        tag: "orgs",
        summary: "撤销党组织（须无下级和党员；记录保留）",
        params: &[ID],
        body: Some("OrgAction"),
        status: 200,
        response: Some("OrgView"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/events",
        tag: "orgs",
        summary: "登记换届选举、委员会设立或撤销、批准延期换届（until，不超过规定上限）、书记空缺（无前任记录）；带日期，组织行同步更新",
        params: &[ID],
        body: Some("OrgEvent"),
        status: 200,
        response: Some("OrgView"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/positions/{id}/end",
        tag: "members",
        summary: "结束职务（离任）：离任日期即书记空缺的起始日（无继任者时）",
        params: &[ID],
        body: Some("PositionEnd"),
        status: 200,
        response: Some("PositionEnded"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/members",
        tag: "members",
        summary: "党员名册：按组织（含下级）、姓名查询，排序，分页；身份证号与电话脱敏。q 形如身份证号时拒绝（400）：号码须用 POST /members/search 在请求体中提交",
        params: &[
            ORG,
            Param {
                name: "q",
                at: In::Query,
                ty: "string",
                required: false,
                description: "姓名的一部分（不接受身份证号）",
            },
            Param {
                name: "sort",
                at: In::Query,
                ty: "string",
                required: false,
                description: "org（默认）、name、joined 或 birth",
            },
            PAGE,
            PAGE_SIZE,
        ],
        body: None,
        status: 200,
        response: Some("MemberPage"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/members/search",
        tag: "members",
        summary: "党员查询（请求体）：按姓名或完整的公民身份号码（经密钥哈希精确匹配），号码不出现在网址中",
        params: &[],
        body: Some("MemberSearch"),
        status: 200,
        response: Some("MemberPage"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/members/{id}",
        tag: "members",
        summary: "党员详情（脱敏）",
        params: &[ID],
        body: None,
        status: 200,
        response: Some("MemberView"),
        auth: true,
    },
    ApiRoute {
        method: "put",
        path: "/members/{id}",
        tag: "members",
        summary: "修改党员信息",
        params: &[ID],
        body: Some("MemberEdit"),
        status: 200,
        response: Some("MemberView"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/members/{id}/id-number",
        tag: "members",
        summary: "查看一名党员的完整公民身份号码（限有权角色，记入审计）",
        params: &[ID],
        body: None,
        status: 200,
        response: Some("IdNumber"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/units",
        tag: "units",
        summary: "单位名录与覆盖方式",
        params: &[
            ORG,
            Q,
            Param {
                name: "coverage",
                at: In::Query,
                ty: "string",
                required: false,
                description: "OwnOrg、JointOrg、Instructor 或 Uncovered",
            },
            Param {
                name: "domain",
                at: In::Query,
                ty: "string",
                required: false,
                description: "单位类型代码（如 NonPublicEnterprise）",
            },
            PAGE,
            PAGE_SIZE,
        ],
        body: None,
        status: 200,
        response: Some("UnitPage"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/reports/{kind}",
        tag: "reports",
        summary: "报表：structure（组织设置）、coverage（覆盖情况）、members（党员队伍结构）",
        params: &[
            Param {
                name: "kind",
                at: In::Path,
                ty: "string",
                required: true,
                description: "structure、coverage 或 members",
            },
            ORG,
        ],
        body: None,
        status: 200,
        response: Some("Report"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/imports/{kind}",
        tag: "imports",
        summary: "导入：请求体为文件内容；先检查全部行，任一行有误则不写入（除非 skip_invalid）",
        params: &[
            Param {
                name: "kind",
                at: In::Path,
                ty: "string",
                required: true,
                description: "orgs、members、units 或 meetings（三会一课台账）",
            },
            ORG,
            Param {
                name: "format",
                at: In::Query,
                ty: "string",
                required: false,
                description: "xlsx（默认）、xls 或 csv",
            },
            Param {
                name: "dry_run",
                at: In::Query,
                ty: "boolean",
                required: false,
                description: "只检查，不写入",
            },
            Param {
                name: "skip_invalid",
                at: In::Query,
                ty: "boolean",
                required: false,
                description: "写入通过检查的行，跳过有误的行",
            },
        ],
        body: Some("File"),
        status: 200,
        response: Some("ImportReport"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/meetings",
        tag: "life",
        summary: "记录一次组织生活（会议）：党支部，或党小组会由党小组；同一组织、类型、日期、主题只记录一次",
        params: &[],
        body: Some("NewMeeting"),
        status: 201,
        response: Some("RecordedMeeting"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/meetings",
        tag: "life",
        summary: "会议记录（本人范围内或 org 及其下级，按日期从新到旧）",
        params: &[ORG, PAGE, PAGE_SIZE],
        body: None,
        status: 200,
        response: Some("MeetingPage"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/meetings/{id}",
        tag: "life",
        summary: "一次会议的详情：参会情况、参会率、党员大会表决是否过半数",
        params: &[ID],
        body: None,
        status: 200,
        response: Some("MeetingView"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/orgs/{id}/due",
        tag: "life",
        summary: "本月待办：党支部（或党小组所在支部）本月、本季度、本年度尚未完成的组织生活",
        params: &[ID],
        body: None,
        status: 200,
        response: Some("Due"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/reports/compliance",
        tag: "life",
        summary: "组织生活开展情况：期间内各支部是否达标、缺项、未开展任何组织生活的支部、下级汇总、月份×类型日历",
        params: &[
            ORG,
            Param {
                name: "period",
                at: In::Query,
                ty: "string",
                required: false,
                description: "期间：2026-06（月）、2026Q2（季度）或 2026（年）；默认本月",
            },
            Param {
                name: "as_of",
                at: In::Query,
                ty: "string",
                required: false,
                description: "评判日（YYYY-MM-DD），默认今天：未结束的周期列为待办，不计为未完成；统计口径为截至该日已结束的周期",
            },
        ],
        body: None,
        status: 200,
        response: Some("ComplianceReport"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/audit",
        tag: "audit",
        summary: "审计日志（系统管理员与审计员，本人范围内）",
        params: &[PAGE, PAGE_SIZE],
        body: None,
        status: 200,
        response: Some("AuditPage"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/referrals",
        tag: "imports",
        summary: "导入转办事项（组织部门与党（工）委，处理层级在本人范围内）：下级导入时与范围以外记录冲突、未写入的行",
        params: &[
            Param {
                name: "status",
                at: In::Query,
                ty: "string",
                required: false,
                description: "pending（默认）、settled、dismissed 或 all",
            },
            PAGE,
            PAGE_SIZE,
        ],
        body: None,
        status: 200,
        response: Some("ReferralPage"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/referrals/{id}/settle",
        tag: "imports",
        summary: "办结一项待处理的转办事项（须填写处理意见，记入审计日志）",
        params: &[ID],
        body: Some("OrgAction"),
        status: 200,
        response: Some("Referral"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/referrals/{id}/dismiss",
        tag: "imports",
        summary: "驳回一项待处理的转办事项（须填写处理意见，记入审计日志）",
        params: &[ID],
        body: Some("OrgAction"),
        status: 200,
        response: Some("Referral"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/ratings",
        tag: "rating",
        summary: "星级评定：本级及各直属下级的星级分布，与分页的党组织星级",
        params: &[
            ORG,
            YEAR,
            Param {
                name: "stars",
                at: In::Query,
                ty: "string",
                required: false,
                description: "只列某一星级（1–5），none 为未定星",
            },
            PAGE,
            PAGE_SIZE,
        ],
        body: None,
        status: 200,
        response: Some("RatingsReport"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/ratings",
        tag: "rating",
        summary: "评定（重新评定）本级及下级党组织某年度的星级，并排查疑似软弱涣散问题（组织部门、党委、管理员；记入审计）",
        params: &[],
        body: Some("RateRequest"),
        status: 200,
        response: Some("RateSummary"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/orgs/{id}/rating",
        tag: "rating",
        summary: "一个党组织的年度评定：星级、各指标得分、权重与依据（暂无数据的指标不计分），及问题信号",
        params: &[ORG_KEY, YEAR],
        body: None,
        status: 200,
        response: Some("OrgRating"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rating/adjust",
        tag: "rating",
        summary: "人工调整星级（须填理由，记入审计；stars 为 null 时撤销调整；组织部门、管理员）",
        params: &[ORG_KEY],
        body: Some("RatingAdjust"),
        status: 204,
        response: None,
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/weak",
        tag: "weak",
        summary: "软弱涣散基层党组织排查：每个有问题的党组织、每个问题的状态（疑似、已确定、已排除）与信号依据",
        params: &[ORG, YEAR],
        body: None,
        status: 200,
        response: Some("WeakReport"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/weak/summary",
        tag: "weak",
        summary: "软弱涣散问题按类型与按直属下级汇总",
        params: &[ORG, YEAR],
        body: None,
        status: 200,
        response: Some("WeakSummary"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/orgs/{id}/weak",
        tag: "weak",
        summary: "一个党组织的全部问题信号（触发、正常、暂无数据、不适用）与已作出的确定或排除",
        params: &[ORG_KEY, YEAR],
        body: None,
        status: 200,
        response: Some("Diagnosis"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/weak/confirm",
        tag: "weak",
        summary: "确定疑似问题（须填理由，记入审计；建立或补充整顿台账；组织部门、管理员）",
        params: &[ORG_KEY],
        body: Some("WeakDecision"),
        status: 200,
        response: Some("Decided"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/weak/dismiss",
        tag: "weak",
        summary: "排除疑似问题（须填理由，记入审计；组织部门、管理员）",
        params: &[ORG_KEY],
        body: Some("WeakDecision"),
        status: 200,
        response: Some("Decided"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/rectification",
        tag: "rectification",
        summary: "整顿工作进展：台账按阶段、每个台账的措施完成与逾期、停滞情况、逾期措施",
        params: &[ORG, YEAR],
        body: None,
        status: 200,
        response: Some("RectificationReport"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/rectification/overdue",
        tag: "rectification",
        summary: "未验收台账中逾期未完成的整改措施（期限最早的在前）",
        params: &[ORG],
        body: None,
        status: 200,
        response: Some("OverdueList"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/rectification/stalled",
        tag: "rectification",
        summary: "停滞的台账：若干天无任何进展的未验收台账",
        params: &[
            ORG,
            Param {
                name: "days",
                at: In::Query,
                ty: "integer",
                required: false,
                description: "无进展天数（默认60）",
            },
        ],
        body: None,
        status: 200,
        response: Some("StalledList"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/orgs/{id}/rectification",
        tag: "rectification",
        summary: "一个党组织某年度的整顿台账：阶段、问题、措施、帮扶与时间线",
        params: &[ORG_KEY, YEAR],
        body: None,
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rectification/plan",
        tag: "rectification",
        summary: "制定整改措施（措施、责任人、期限；组织部门、党委、管理员）",
        params: &[ORG_KEY],
        body: Some("RectificationPlan"),
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rectification/assign",
        tag: "rectification",
        summary: "落实帮扶：包联领导与帮扶部门（不填部门则按问题类型对应）",
        params: &[ORG_KEY],
        body: Some("RectificationAssign"),
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rectification/progress",
        tag: "rectification",
        summary: "报告整改进展与佐证材料（另有支部书记）",
        params: &[ORG_KEY],
        body: Some("RectificationProgress"),
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rectification/complete",
        tag: "rectification",
        summary: "标记措施完成",
        params: &[ORG_KEY],
        body: Some("RectificationComplete"),
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rectification/extend",
        tag: "rectification",
        summary: "延期整改（须填理由；组织部门、管理员）",
        params: &[ORG_KEY],
        body: Some("RectificationExtend"),
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rectification/accept",
        tag: "rectification",
        summary: "验收销号（全部措施完成后；组织部门、管理员）",
        params: &[ORG_KEY],
        body: Some("RectificationAccept"),
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "post",
        path: "/orgs/{id}/rectification/review",
        tag: "rectification",
        summary: "回头看（验收一年后；组织部门、管理员）",
        params: &[ORG_KEY],
        body: Some("RectificationReview"),
        status: 200,
        response: Some("RectificationCase"),
        auth: true,
    },
    ApiRoute {
        method: "get",
        path: "/openapi.json",
        tag: "meta",
        summary: "本文档",
        params: &[],
        body: None,
        status: 200,
        response: Some("Object"),
        auth: false,
    },
];

fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": props, "required": required })
}

fn schemas() -> Value {
    let s = |t: &str| json!({ "type": t });
    let ns = |t: &str| json!({ "type": [t, "null"] });
    let date = json!({ "type": "string", "format": "date" });
    let ndate = json!({ "type": ["string", "null"], "format": "date" });
    let r = |n: &str| json!({ "$ref": format!("#/components/schemas/{n}") });
    let org_summary = obj(
        json!({
            "id": s("integer"), "code": s("string"), "name": s("string"),
            "kind": s("string"), "kind_label": s("string"),
            "members": s("integer"), "direct_members": s("integer"),
            "children": s("integer"), "dissolved": s("boolean"),
        }),
        &[
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "members",
            "children",
        ],
    );
    let member_row = obj(
        json!({
            "id": s("integer"), "name": s("string"), "gender": s("string"),
            "ethnicity": s("string"), "birth_date": date,
            "id_masked": { "type": "string", "description": "脱敏的公民身份号码，如 371102********182X" },
            "education": ns("string"), "status": s("string"), "joined_on": date,
            "full_on": ndate, "occupation": ns("string"),
            "phone_masked": { "type": ["string", "null"], "description": "脱敏的联系电话" },
            "org_id": s("integer"), "org_name": s("string"),
        }),
        &["id", "name", "id_masked", "org_id"],
    );
    let unit_row = obj(
        json!({
            "id": s("integer"), "name": s("string"), "credit_code": ns("string"),
            "domain": s("string"), "status": s("string"), "employees": ns("integer"),
            "full_members": s("integer"), "coverage": s("string"), "org_id": s("integer"),
            "org_name": s("string"), "instructor": ns("string"),
        }),
        &["id", "name", "coverage", "org_id"],
    );
    let page_of = |item: &str| {
        obj(
            json!({
                "items": { "type": "array", "items": r(item) },
                "total": s("integer"), "page": s("integer"), "page_size": s("integer"),
            }),
            &["items", "total"],
        )
    };
    let org_fields = json!({
        "name": s("string"),
        "kind": { "type": "string", "enum": ["LocalCommittee", "WorkingCommittee", "PrimaryCommittee", "GeneralBranch", "Branch", "Group"] },
        "domain": ns("string"), "region_code": ns("string"),
        "founded_on": ndate, "last_election_on": ndate,
        "committee": { "type": ["boolean", "null"], "description": "是否设立委员会；null 为暂无数据（未登记），不等于未设立" },
        "committee_on": ndate,
        "term_years": { "type": ["integer", "null"], "description": "经批准的任期年限；空为按规定" },
        "temporary": { "type": "boolean", "description": "临时党支部" },
        "records_from": ndate,
        "approving_org": ns("string"), "code": ns("string"),
        "reason": { "type": "string", "description": "原因（记入组织沿革），必填" },
    });
    let row_error = obj(
        json!({ "row": s("integer"), "column": s("string"), "message": s("string") }),
        &["row", "column", "message"],
    );
    let mut all = json!({
        "Error": obj(json!({ "error": { "type": "string", "description": "中文说明" } }), &["error"]),
        "LoginRequest": obj(json!({ "username": s("string"), "password": s("string"), "totp": { "type": "string", "description": "动态验证码（6位数字）或恢复码；已绑定动态验证码的账号必填" } }), &["username", "password"]),
        "Token": obj(json!({ "token": s("string"), "username": s("string"), "role": s("string"), "must_change_password": s("boolean") }), &["token"]),
        "PasswordChange": obj(json!({ "current_password": s("string"), "new_password": s("string") }), &["current_password", "new_password"]),
        "Me": obj(json!({
            "user_id": s("integer"), "username": s("string"), "role": s("string"),
            "role_label": s("string"), "org_id": ns("integer"), "member_id": ns("integer"),
        }), &["username", "role"]),
        "OrgSummary": org_summary,
        "OrgList": obj(json!({ "items": { "type": "array", "items": r("OrgSummary") } }), &["items"]),
        "OrgView": { "type": "object", "description": "党组织详情：基本信息、facts、anomalies、children（OrgSummary）、members（MemberPage）、units、positions、history", "properties": {
            "id": s("integer"), "code": s("string"), "name": s("string"), "kind": s("string"),
            "children": { "type": "array", "items": r("OrgSummary") },
            "members": r("MemberPage"),
        }, "required": ["id", "code", "name", "kind"] },
        "OrgWrite": { "type": "object", "properties": org_fields, "required": ["name", "kind", "reason"] },
        "OrgAction": obj(json!({
            "target": { "type": ["integer", "string"], "description": "目标党组织：id、组织代码或完整名称（调整隶属、合并时必填）" },
            "reason": s("string"),
        }), &["reason"]),
        "OrgEvent": obj(json!({
            "kind": { "type": "string", "enum": ["election", "committee_set", "committee_none", "term_postponed", "secretary_vacant"] },
            "on": s("string"),
            "until": ns("string"),
            "reason": s("string"),
        }), &["kind", "on", "reason"]),
        "PositionEnd": obj(json!({ "on": s("string"), "reason": s("string") }), &["on", "reason"]),
        "PositionEnded": obj(json!({ "position": s("integer"), "ended_on": s("string") }), &["position", "ended_on"]),
        "Created": obj(json!({ "id": s("integer") }), &["id"]),
        "MemberRow": member_row,
        "MemberPage": page_of("MemberRow"),
        "MemberView": { "type": "object", "description": "MemberRow 的全部字段，另有 mobile、lost_contact、breadcrumb、positions、can_reveal、can_edit", "properties": {
            "id": s("integer"), "name": s("string"), "id_masked": s("string"),
            "can_reveal": s("boolean"), "can_edit": s("boolean"),
        }, "required": ["id", "name", "id_masked"] },
        "MemberEdit": obj(json!({
            "name": s("string"), "ethnicity": ns("string"), "education": ns("string"),
            "occupation": ns("string"), "phone": { "type": ["string", "null"], "description": "新电话；不填则不变" },
            "status": { "type": "string", "description": "正式党员 或 预备党员" }, "full_on": ndate,
        }), &["name", "status"]),
        "IdNumber": obj(json!({ "id": s("integer"), "id_number": s("string") }), &["id", "id_number"]),
        "UnitRow": unit_row,
        "UnitPage": page_of("UnitRow"),
        "Dashboard": { "type": "object", "description": "org、orgs、orgs_by_kind、members、full、probationary、units_operating、anomalies_total、anomalies（[规则代码, 名称, 数量]）、coverage（覆盖报表，两份清单各至多10条，计数完整）、member_report（党员队伍结构报表）" },
        "Report": { "type": "object", "description": "structure：orgs、counts、anomalies；coverage：by_domain、total、should_have_org、uncovered；members：total、full、probationary 及各维度分布" },
        "RowError": row_error,
        "ImportReport": obj(json!({
            "file": s("string"), "rows": s("integer"), "valid": s("integer"),
            "written": s("integer"), "unchanged": s("integer"), "dry_run": s("boolean"),
            "errors": { "type": "array", "items": r("RowError"), "description": "按行、列排序的前1000处错误" },
            "errors_total": { "type": "integer", "description": "错误总数（errors 至多列出1000处）" },
            "referred": { "type": "array", "items": r("RowError"), "description": "未写入、已提交上级党组织处理的行（只在正式导入中出现）" },
        }), &["rows", "valid", "written", "errors"]),
        "MemberSearch": obj(json!({
            "q": { "type": "string", "description": "姓名的一部分，或完整的18位公民身份号码" },
            "org": { "type": ["integer", "string"], "description": "党组织：id、组织代码或唯一的完整名称" },
            "sort": s("string"), "page": s("integer"), "page_size": s("integer"),
        }), &[]),
        "Referral": { "type": "object", "description": "id、kind（member/org/unit）、kind_label、status（pending/settled/dismissed）、status_label、created_at、created_by、source、row、subject（姓名与脱敏身份证号，或组织名称与代码、单位名称与信用代码）、from_org_id、from_org、existing_id、existing_org_id、existing_org、common_org_id、common_org、data、settled_at、settled_by、reason" },
        "ReferralPage": page_of("Referral"),
        "File": { "type": "string", "format": "binary", "description": ".xlsx、.xls 或 .csv 文件内容" },
        "AuditPage": obj(json!({
            "items": { "type": "array", "items": { "type": "object" } },
            "total": s("integer"), "page": s("integer"), "page_size": s("integer"),
        }), &["items", "total"]),
        "Object": { "type": "object" },
    });
    if let Value::Object(m) = &mut all {
        m.extend(life_schemas());
        m.extend(crate::api_rating::schemas());
    }
    all
}

/// The schemas of organizational life (meetings, 本月待办, compliance).
fn life_schemas() -> Map<String, Value> {
    let s = |t: &str| json!({ "type": t });
    let ns = |t: &str| json!({ "type": [t, "null"] });
    let date = json!({ "type": "string", "format": "date" });
    let r = |n: &str| json!({ "$ref": format!("#/components/schemas/{n}") });
    let attendee = obj(
        json!({
            "member_id": s("integer"),
            "status": { "type": "string", "enum": ["present", "excused", "absent"] },
            "reason": ns("string"),
        }),
        &["member_id", "status"],
    );
    let due_item = obj(
        json!({
            "kind": s("string"), "label": s("string"), "span": s("string"), "span_label": s("string"),
            "deadline": date, "due": s("integer"), "held": s("integer"),
            "group": { "type": "object" }, "org_id": { "type": "integer", "description": "记录时填写的 org_id（党小组会为党小组）" },
        }),
        &["kind", "span", "deadline", "due", "held", "org_id"],
    );
    let quorum = json!({ "oneOf": [r("Quorum"), { "type": "null" }] });
    let page = obj(
        json!({
            "items": { "type": "array", "items": r("MeetingRow") },
            "total": s("integer"), "page": s("integer"), "page_size": s("integer"),
        }),
        &["items", "total"],
    );
    let v = json!({
        "NewMeeting": obj(json!({
            "org_id": { "type": "integer", "description": "党支部 id；党小组会填党小组 id" },
            "kind": { "type": "string", "enum": ["GeneralMeeting", "CommitteeMeeting", "GroupMeeting", "PartyLecture", "ThemeDay", "LifeMeeting", "DemocraticEvaluation"], "description": "会议类型（也可填中文名称，如 主题党日）" },
            "date": date, "topic": s("string"), "venue": ns("string"), "host": ns("string"),
            "expected": { "type": ["integer", "null"], "description": "应到；按名单选择参会党员时可不填" },
            "present": ns("integer"), "excused": ns("integer"),
            "attendees": { "type": "array", "description": "从本支部党员名单选择的参会情况", "items": attendee },
            "excused_reasons": { "type": "array", "items": s("string") },
            "minutes": ns("string"), "decisions": ns("string"),
            "kinds": { "type": "array", "items": s("string"), "description": "同一次会议同时作为的其他类型（如 主题党日暨党员大会：kind 填 主题党日，kinds 填 党员大会），逐项计入" },
            "for_year": { "type": ["integer", "null"], "description": "所属年度：年度组织生活会、民主评议党员可在次年规定期限内召开并计入上一年度；默认会议日期所在年度" },
            "election": { "type": "boolean", "description": "换届选举：到会有选举权党员须超过应到会人数的五分之四" },
            "masses_present": { "type": ["integer", "null"], "description": "群众参与人数（不填为未记录，不是0）" },
            "central_task": { "type": "boolean", "description": "围绕中心工作" },
            "members_needs": { "type": "boolean", "description": "回应党员需求" },
            "votes": { "type": "boolean", "description": "党员大会进行表决（检查到会有表决权党员是否过半数）" },
        }), &["org_id", "kind", "date", "topic"]),
        "Quorum": obj(json!({ "voting": s("integer"), "present": s("integer"), "needed": s("integer"), "ok": s("boolean") }), &["voting", "present", "needed", "ok"]),
        "RecordedMeeting": obj(json!({
            "id": s("integer"), "org": { "type": "object" }, "kind": s("string"), "label": s("string"),
            "date": date, "topic": s("string"), "expected": s("integer"), "present": s("integer"),
            "excused": s("integer"), "attendance_rate": ns("number"),
            "quorum": quorum,
        }), &["id", "kind", "date", "topic"]),
        "MeetingRow": obj(json!({
            "id": s("integer"), "org_id": s("integer"), "kind": s("string"), "label": s("string"),
            "date": date, "topic": s("string"), "host": ns("string"), "expected": s("integer"),
            "present": s("integer"), "excused": s("integer"), "attendance_rate": ns("number"),
            "masses_present": ns("integer"), "quorum_ok": ns("boolean"),
        }), &["id", "kind", "date", "topic"]),
        "MeetingPage": page,
        "MeetingView": { "type": "object", "description": "MeetingRow 的字段，另有 org、branch_id、venue、minutes、decisions、excused_reasons、central_task、members_needs、votes、quorum、attendees（member_id、name、status、reason、full）、recorded_by", "properties": {
            "id": s("integer"), "kind": s("string"), "date": date, "topic": s("string"),
            "quorum": quorum,
            "attendees": { "type": "array", "items": { "type": "object" } },
        }, "required": ["id", "kind", "date", "topic", "attendees"] },
        "Due": obj(json!({
            "branch": { "type": "object" }, "branch_id": s("integer"), "today": date,
            "month": s("string"), "quarter": s("string"), "year": s("string"),
            "items": { "type": "array", "items": due_item },
        }), &["branch_id", "items"]),
        "ComplianceReport": { "type": "object", "description": "org、period、branches（应开展支部数）、compliant、rate、noncompliant（org、missing：kind、due、held、group）、held_nothing、levels（下级汇总）、attendance、quorum_failed、calendar（span、kind、due、met）", "properties": {
            "period": s("string"), "branches": s("integer"), "compliant": s("integer"), "rate": ns("number"),
        }, "required": ["period", "branches", "compliant"] },
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The whole document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in ROUTES {
        let mut op = Map::new();
        op.insert("tags".into(), json!([r.tag]));
        op.insert("summary".into(), json!(r.summary));
        op.insert(
            "operationId".into(),
            json!(format!(
                "{}{}",
                r.method,
                r.path
                    .replace(['/', '{', '}', '.', '-'], "_")
                    .trim_end_matches('_')
            )),
        );
        if !r.params.is_empty() {
            let ps: Vec<Value> = r
                .params
                .iter()
                .map(|p| {
                    json!({
                        "name": p.name,
                        "in": match p.at { In::Path => "path", In::Query => "query" },
                        "required": p.required,
                        "description": p.description,
                        "schema": { "type": p.ty },
                    })
                })
                .collect();
            op.insert("parameters".into(), Value::Array(ps));
        }
        if let Some(b) = r.body {
            let media = if b == "File" {
                "application/octet-stream"
            } else {
                "application/json"
            };
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { media: { "schema": { "$ref": format!("#/components/schemas/{b}") } } } }),
            );
        }
        let mut responses = Map::new();
        let ok = match r.response {
            Some(s) => {
                json!({ "description": "成功", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{s}") } } } })
            }
            None => json!({ "description": "成功" }),
        };
        responses.insert(r.status.to_string(), ok);
        let err = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        responses.insert("400".into(), err("请求有误（中文说明）"));
        if r.auth {
            responses.insert("401".into(), err("未登录或令牌已过期"));
            responses.insert(
                "403".into(),
                err("角色无权进行此操作，或须先绑定动态验证码"),
            );
            responses.insert("404".into(), err("不存在，或不在本人管理范围内"));
        } else if r.path == "/auth/login" {
            responses.insert(
                "401".into(),
                err("用户名或密码错误；或需要动态验证码（second_factor: true）、动态验证码错误"),
            );
            responses.insert("403".into(), err("账户已停用"));
            responses.insert(
                "429".into(),
                err("账号已锁定，或登录请求过于频繁（带 Retry-After）"),
            );
        }
        op.insert("responses".into(), Value::Object(responses));
        if r.auth {
            op.insert("security".into(), json!([{ "bearer": [] }]));
        }
        let entry = paths
            .entry(format!("/api/v1{}", r.path))
            .or_insert_with(|| Value::Object(Map::new()));
        entry
            .as_object_mut()
            .expect("object")
            .insert(r.method.into(), Value::Object(op));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "jiceng 基层党建工作体系 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "页面与 API 调用相同的应用功能。每个用户只能看到本人所属党组织及其下级；范围以外的 id 一律回答 404。身份证号和电话在所有列表与详情中脱敏。",
        },
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        },
    })
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_text() -> String {
    let mut s = serde_json::to_string_pretty(&document()).expect("serializable");
    s.push('\n');
    s
}
