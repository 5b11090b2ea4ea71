//! The OpenAPI document: what `/api/openapi.json` serves is the committed
//! snapshot (`ZWFW_UPDATE_SNAPSHOT=1` rewrites it after a deliberate change),
//! its schema names are distinct, and every operation lists the errors it
//! can answer with their body.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::Value;
use zwfw_store::scratch::ScratchDb;
use zwfw_store::{both_backends, Store};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/openapi.snapshot.json");

/// The document as the running program serves it.
async fn served() -> Value {
    let db = ScratchDb::sqlite();
    let store = db.store().await.expect("sqlite store");
    let app = App::start_without_demo(store.clone()).await;
    let r = client().get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    drop(app);
    store.close().await;
    db.cleanup().await;
    doc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_matches_the_snapshot() {
    let doc = served().await;
    let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if std::env::var("ZWFW_UPDATE_SNAPSHOT").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if committed != text {
        let line = committed.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(0) + 1;
        panic!(
            "the OpenAPI document differs from {SNAPSHOT} from line {line} on; \
             if the change is meant, run the test again with ZWFW_UPDATE_SNAPSHOT=1 and commit the file"
        );
    }
}

/// Every `$ref` in `v`.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn schema_names_are_distinct_and_every_reference_resolves() {
    // Building the router checks that no two different schemas share a name.
    let (_, doc) = zwfw_web::api::router();
    let doc = serde_json::to_value(&doc).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected reference {r}"));
        assert!(schemas.contains_key(name), "{r} names no schema");
    }
}

/// Where a schema says nothing of its content: `{}` (any value) or an object
/// without properties, below `at`.
fn untyped(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let object_only = match m.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.iter().all(|t| t == "object" || t == "null"),
                _ => false,
            };
            let described = ["properties", "additionalProperties", "allOf", "oneOf", "anyOf", "$ref"];
            let is_schema_slot = at.ends_with("/schema") || at.ends_with("/items") || at.contains("/properties/");
            if (m.is_empty() && is_schema_slot) || (object_only && !described.iter().any(|k| m.contains_key(*k))) {
                out.push(at.to_string());
            }
            for (k, x) in m {
                untyped(x, &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| untyped(x, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

/// The document is exact: every body, row and rule has its schema. What is
/// free-form by nature is named here, and nothing else may be.
#[test]
fn every_schema_is_typed() {
    let (_, doc) = zwfw_web::api::router();
    let doc = serde_json::to_value(&doc).unwrap();
    let mut found = Vec::new();
    untyped(&doc, "", &mut found);
    let free_form = [
        // An application form: 申请事项说明 and the fields the item defines.
        "/components/schemas/ApplicationInput/properties/form",
        "/components/schemas/CaseRow/allOf/1/properties/form",
        "/components/schemas/CaseDraft/properties/form",
        "/components/schemas/CaseDraftInput/properties/form",
        "/components/schemas/BackfillApplicationInput/allOf/1/properties/form",
        // An event's body, whose fields depend on the kind of event.
        "/components/schemas/CaseEvent/properties/body",
        // What a supervision rule found, by rule.
        "/components/schemas/FindingRow/properties/detail",
        // A field's value before and after a change: any item field.
        "/components/schemas/ItemFieldChange/properties/before",
        "/components/schemas/ItemFieldChange/properties/after",
        // A deleted row as it was, kept in the archive: the columns of its table.
        "/components/schemas/DeletedRecord/properties/row",
        // The published catalogue keyed by the GB/T 39046 表4 names.
        "/paths/~1api~1v1~1guide~1export.json/get/responses/200/content/application~1json/schema/items",
    ];
    let left: Vec<&String> = found.iter().filter(|f| !free_form.contains(&f.as_str())).collect();
    assert!(left.is_empty(), "untyped schemas: {left:#?}");
}

#[test]
fn every_operation_lists_its_errors() {
    let (_, doc) = zwfw_web::api::router();
    let doc = serde_json::to_value(&doc).unwrap();
    let schemas = &doc["components"]["schemas"];
    let mut count = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            let at = format!("{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            let has = |s: &str| responses.contains_key(s);
            let params = op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
            let takes_input = !params.is_empty() || op.get("requestBody").is_some();
            if takes_input {
                assert!(has("400"), "{at}: a bad parameter or body answers 400");
            }
            if params.iter().any(|p| p["in"] == "path") {
                assert!(has("404"), "{at}: an unknown object answers 404");
            }
            if op["security"].as_array().is_some_and(|s| s.iter().any(|s| s.get("bearer").is_some())) {
                assert!(has("401") || has("404"), "{at}: signing in is required or what is hidden answers 404");
            }
            assert!(responses.keys().any(|s| s.starts_with('2')), "{at}: no success status");
            for (status, resp) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    // ErrorBody, or a report that is one (a `code` and a `message`, and more).
                    let r = resp["content"]["application/json"]["schema"]["$ref"].as_str().unwrap_or_default();
                    let schema = &schemas[r.strip_prefix("#/components/schemas/").unwrap_or_default()];
                    let required = schema["required"].as_array().map(Vec::as_slice).unwrap_or_default();
                    assert!(
                        required.contains(&"code".into()) && required.contains(&"message".into()),
                        "{at}: {status} must carry ErrorBody"
                    );
                }
            }
        }
    }
    assert!(count > 90, "only {count} operations");
}

both_backends!(bad_parameters_answer_the_api_error_or_the_error_page, |store: Store| async move {
    let app = App::start(store).await;
    let citizen = app.ready_token("demo_citizen").await;
    // The API: JSON in the error format, naming the parameter.
    for (path, param) in [
        ("/api/v1/cases/abc", "id"),
        ("/api/v1/cases?page=abc", "page"),
        ("/api/v1/calendar/add?from=2026-01-05", "days"),
        ("/api/v1/items/1/diff?from=1&to=two", "to"),
    ] {
        let (status, body) = body(app.get(&citizen, path).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["code"], "bad_request", "{path}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains(param)), "{path}: {body}");
    }
    // Two path parameters read together: the fault names the parameter, not its position.
    for (path, param) in [("/api/v1/cases/1/documents/abc", "doc_id"), ("/api/v1/cases/abc/materials/1", "id")] {
        let (status, body) = body(app.get(&citizen, path).await).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{path}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.starts_with(&format!("{param}: "))), "{path}: {body}");
    }
    // A page number past any list is the last possible page, not a failure.
    let r = app.get(&citizen, "/api/v1/cases?page=9223372036854775806").await;
    assert_eq!(r.status(), StatusCode::OK);
    // A page: the Chinese error page, not JSON.
    for path in ["/calendar?year=abc", "/guide/abc"] {
        let r = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        assert!(r.text().await.unwrap().contains("操作未完成"), "{path}");
    }
});
