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

/// Every route of the API.
pub const ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "post",
        path: "/auth/login",
        tag: "auth",
        summary: "登录，取得令牌（连续失败将锁定账号）",
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
        method: "get",
        path: "/members",
        tag: "members",
        summary: "党员名册：按组织（含下级）、姓名或身份证号查询，排序，分页；身份证号与电话脱敏",
        params: &[
            ORG,
            Q,
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
                description: "orgs、members 或 units",
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
        "has_committee": s("boolean"), "approving_org": ns("string"), "code": ns("string"),
        "reason": { "type": "string", "description": "原因（记入组织沿革），必填" },
    });
    let row_error = obj(
        json!({ "row": s("integer"), "column": s("string"), "message": s("string") }),
        &["row", "column", "message"],
    );
    json!({
        "Error": obj(json!({ "error": { "type": "string", "description": "中文说明" } }), &["error"]),
        "LoginRequest": obj(json!({ "username": s("string"), "password": s("string") }), &["username", "password"]),
        "Token": obj(json!({ "token": s("string"), "username": s("string"), "role": s("string") }), &["token"]),
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
        "Dashboard": { "type": "object", "description": "org、orgs、orgs_by_kind、members、full、probationary、units_operating、anomalies_total、anomalies（[规则代码, 名称, 数量]）、coverage（覆盖报表）、member_report（党员队伍结构报表）" },
        "Report": { "type": "object", "description": "structure：orgs、counts、anomalies；coverage：by_domain、total、should_have_org、uncovered；members：total、full、probationary 及各维度分布" },
        "RowError": row_error,
        "ImportReport": obj(json!({
            "file": s("string"), "rows": s("integer"), "valid": s("integer"),
            "written": s("integer"), "unchanged": s("integer"), "dry_run": s("boolean"),
            "errors": { "type": "array", "items": r("RowError") },
        }), &["rows", "valid", "written", "errors"]),
        "File": { "type": "string", "format": "binary", "description": ".xlsx、.xls 或 .csv 文件内容" },
        "AuditPage": obj(json!({
            "items": { "type": "array", "items": { "type": "object" } },
            "total": s("integer"), "page": s("integer"), "page_size": s("integer"),
        }), &["items", "total"]),
        "Object": { "type": "object" },
    })
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
            responses.insert("403".into(), err("角色无权进行此操作"));
            responses.insert("404".into(), err("不存在，或不在本人管理范围内"));
        } else if r.path == "/auth/login" {
            responses.insert("401".into(), err("用户名或密码错误"));
            responses.insert("429".into(), err("账号已锁定"));
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
