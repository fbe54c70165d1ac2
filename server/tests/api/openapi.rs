//! `/v1/openapi.json` describes exactly the routes that answer: every documented operation
//! is served by `/v1` (not by the page fallback), every route of the README's API table is
//! documented, and no `/v1` route is registered past the documenting router. Plus the
//! response headers every answer carries.

use crate::helpers::{new_client, spawn_app};
use serde_json::Value;
use std::collections::BTreeSet;

/// (METHOD, path) of every operation in the document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

/// (METHOD, path) of every row of the README's API table (`| GET | /v1/… | … |`).
fn readme_routes() -> BTreeSet<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README");
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .split('|')
                .map(|c| c.trim().trim_matches('`'))
                .collect();
            match cells.as_slice() {
                ["", method, path, ..] if path.starts_with("/v1/") => {
                    Some((method.to_string(), path.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

#[tokio::test]
async fn every_documented_operation_is_served_and_every_readme_route_is_documented() {
    let app = spawn_app().await;
    let response = app.get("/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let ops = operations(&doc);
    let listed = readme_routes();
    assert!(listed.len() >= 20, "the README lists the API: {listed:?}");
    let missing: Vec<_> = listed.difference(&ops).collect();
    assert!(
        missing.is_empty(),
        "in the README but not in openapi.json: {missing:?}"
    );
    let unlisted: Vec<_> = ops.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "in openapi.json but not in the README: {unlisted:?}"
    );
    // Each operation is answered by /v1 itself: JSON or an empty success, never the page
    // fallback's HTML 404 or a 405.
    let client = new_client();
    for (method, path) in &ops {
        let concrete = path
            .replace("{room_name}", "no-such-room")
            .replace("{meeting_id}", "00000000-0000-4000-8000-000000000000");
        let request = client.request(method.parse().expect("method"), app.url(&concrete));
        let request = if method == "GET" {
            request
        } else {
            request.json(&serde_json::json!({}))
        };
        let answer = request.send().await.expect("request");
        let status = answer.status().as_u16();
        let json = answer
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"));
        assert!(
            status != 405 && (json || status == 204),
            "{method} {path}: {status}"
        );
        assert!(status < 500, "{method} {path}: {status}");
    }
}

#[test]
fn no_v1_route_bypasses_the_documenting_router() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    for entry in std::fs::read_dir(dir).expect("api sources") {
        let path = entry.expect("entry").path();
        let source = std::fs::read_to_string(&path).expect("source");
        assert!(
            !source.contains(".route("),
            "{} registers a route with .route(): use .routes(routes!(handler)) so it is documented",
            path.display()
        );
    }
}

#[tokio::test]
async fn answers_carry_the_security_headers_and_pages_a_csp_with_their_scripts_nonce() {
    let app = spawn_app().await;
    app.sign_up("ada@example.com").await;
    let api = app.get("/v1/me").await;
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header(&api, "cache-control"), "private, no-store");
    assert_eq!(header(&api, "x-content-type-options"), "nosniff");
    assert!(header(&api, "content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header(&api, "referrer-policy"), "no-referrer");

    let page = app.get("/rooms").await;
    let csp = header(&page, "content-security-policy");
    assert_eq!(header(&page, "cache-control"), "private, no-store");
    let html = page.text().await.expect("html");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the page's CSP");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the CSP's nonce"
    );
}

#[test]
fn no_two_types_share_a_schema_name_in_the_document() {
    let clashes = roomcal_server::api::schema_name_clashes();
    assert!(
        clashes.is_empty(),
        "schema names given to two different types (one silently replaces the other): {clashes:?}"
    );
}

/// Writes the document where `.ci/validate-openapi.sh` reads it: `ROOMCAL_OPENAPI_OUT`, or
/// `openapi.json` in cargo's scratch directory for tests.
#[test]
fn the_document_is_written_for_the_openapi_validator() {
    let path = std::env::var_os("ROOMCAL_OPENAPI_OUT").map_or_else(
        || std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi.json"),
        std::path::PathBuf::from,
    );
    let doc = serde_json::to_string_pretty(&roomcal_server::api::document_json()).expect("json");
    std::fs::write(&path, doc).expect("write the document");
    let back: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read"))
        .expect("the written document is JSON");
    assert!(back["paths"].as_object().is_some_and(|p| !p.is_empty()));
}

#[test]
fn the_document_describes_every_webhook_event_and_its_body() {
    let doc = roomcal_server::api::document_json();
    let webhooks = doc["webhooks"].as_object().expect("a webhooks section");
    for kind in roomcal::webhooks::WebhookEventType::SUBSCRIBABLE {
        let entry = &webhooks[kind.as_str()]["post"];
        assert_eq!(
            entry["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Envelope",
            "{}",
            kind.as_str()
        );
    }
    let envelope = &doc["components"]["schemas"]["Envelope"];
    assert!(envelope["properties"]["type"].is_object(), "{envelope}");
    assert!(envelope["properties"]["data"].is_object(), "{envelope}");
    assert!(doc["components"]["schemas"]["MeetingData"]["properties"]["starts_at"].is_object());
}
