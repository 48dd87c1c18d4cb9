//! The schemas of the OpenAPI document (`components.schemas`): the foundation's and
//! organizational life's here, rating's in `api_rating`, 发展党员's in
//! `api_recruitment`.

use serde_json::{json, Map, Value};

fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": props, "required": required })
}

pub(super) fn schemas() -> Value {
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
        json!({ "row": s("integer"), "column": s("string"), "message": s("string"), "name": { "type": "string", "description": "该行的姓名（有“姓名”列的导入）" } }),
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
            "blank": { "type": "integer", "description": "未填写而跳过的行（任务完成情况导入）" },
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
        m.extend(crate::api_recruitment::schemas());
        m.extend(crate::api_member_life::schemas());
        m.extend(crate::api_dues::schemas());
        m.extend(crate::api_training::schemas());
        m.extend(crate::api_scorecard::schemas());
        m.extend(crate::api_tasks::schemas());
        m.extend(crate::api_inspections::schemas());
        m.extend(crate::api_duty::schemas());
        m.extend(crate::api_requests::schemas());
        m.extend(crate::api_venues::schemas());
        m.extend(crate::api_surveys::schemas());
        m.extend(crate::api_funding::schemas());
        m.extend(crate::api_disclosure::schemas());
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
            "date": date, "topic": s("string"), "venue": ns("string"), "venue_id": { "type": ["integer", "null"], "description": "活动场所 id（本组织或其上级使用的在用场所；选填）" }, "host": ns("string"),
            "expected": { "type": ["integer", "null"], "description": "应到；按名单选择参会党员时可不填" },
            "present": ns("integer"), "excused": ns("integer"),
            "attendees": { "type": "array", "description": "从本支部党员名单选择的参会情况", "items": attendee },
            "excused_reasons": { "type": "array", "items": s("string") },
            "guests": { "type": "array", "items": s("integer"), "description": "列席的流入党员（在本支部登记的流入党员 id）：无表决权，不计入应到、实到" },
            "minutes": ns("string"), "decisions": ns("string"),
            "kinds": { "type": "array", "items": s("string"), "description": "同一次会议同时作为的其他类型（如 主题党日暨党员大会：kind 填 主题党日，kinds 填 党员大会），逐项计入" },
            "for_year": { "type": ["integer", "null"], "description": "所属年度：年度组织生活会、民主评议党员可在次年规定期限内召开并计入上一年度；默认会议日期所在年度" },
            "election": { "type": "boolean", "description": "换届选举：到会有选举权党员须超过应到会人数的五分之四" },
            "masses_present": { "type": ["integer", "null"], "description": "群众参与人数（不填为未记录，不是0）" },
            "central_task": { "type": "boolean", "description": "围绕中心工作" },
            "members_needs": { "type": "boolean", "description": "回应党员需求" },
            "votes": { "type": "boolean", "description": "党员大会进行表决（检查到会有表决权党员是否过半数）" },
        }), &["org_id", "kind", "date", "topic"]),
        "MeetingCorrection": { "type": "object", "description": "NewMeeting 的全部字段，另加 reason（更正原因，必填）", "properties": { "reason": s("string") }, "required": ["org_id", "kind", "date", "topic", "reason"] },
        "MeetingVoid": obj(json!({ "reason": { "type": "string", "description": "作废原因（必填）" } }), &["reason"]),
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
        "MeetingView": { "type": "object", "description": "MeetingRow 的字段，另有 org、branch_id、venue、venue_id（所选活动场所）、minutes、decisions、excused_reasons、central_task、members_needs、votes、quorum、attendees（member_id、name、status、reason、full）、guests（列席的流入党员：[id, 姓名]）、recorded_by", "properties": {
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
