//! The router and the domain's access policy agree: every route the router serves has a rule,
//! every rule names a served route, and the OpenAPI document covers the whole API.

use noguchi_domain::access::ROUTES;
use noguchi_web::{openapi_document, registered_routes};

#[test]
fn every_route_has_a_declared_rule() {
    let routes = registered_routes();
    assert!(routes.len() > 30);
    let missing: Vec<_> = routes
        .iter()
        .filter(|(m, p)| !ROUTES.iter().any(|r| r.method == *m && r.path == *p))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a rule in noguchi_domain::access::ROUTES: {missing:?}"
    );
    let stale: Vec<_> = ROUTES
        .iter()
        .filter(|r| !routes.contains(&(r.method, r.path)))
        .map(|r| (r.method, r.path))
        .collect();
    assert!(
        stale.is_empty(),
        "rules for routes the router does not serve: {stale:?}"
    );
}

#[test]
fn every_api_route_is_documented() {
    let doc = serde_json::to_value(openapi_document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in registered_routes() {
        if !path.starts_with("/api/v1/") || path == "/api/v1/openapi.json" {
            continue;
        }
        let documented = paths
            .get(path)
            .and_then(|p| p.get(method.to_lowercase()))
            .is_some();
        assert!(documented, "{method} {path} is not in the OpenAPI document");
    }
}

#[test]
fn openapi_document_is_stable() {
    let doc = serde_json::to_value(openapi_document()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}
