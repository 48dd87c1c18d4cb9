//! The OpenAPI 3 document of `/api/v1`, generated from one route table. The committed
//! copy (`docs/openapi.json`) is compared with it by a test, and every route in the table
//! is checked to exist in the router, so the document cannot drift from the code.

use serde_json::{json, Map, Value};

mod routes;
mod schemas;

pub use routes::ROUTES;
use schemas::schemas;

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
