//! What the derived OpenAPI document cannot say operation by operation, said
//! once for all of them: the problems any request can meet, that the health
//! probes need no token, and the ranges the server's integer types accept.
//! Clients generated from the document, and schemathesis, rely on it.

use serde_json::{Map, Value, json};

/// Problems the middleware and extractors give every `/v1` operation:
/// status, description, and whether only a request with a body can meet it.
const COMMON_PROBLEMS: [(&str, &str, bool); 8] = [
    ("400", "Malformed request: a query string, path or JSON body that does not parse", false),
    ("401", "No valid API token (when the server has tokens)", false),
    ("403", "The token's role may not do this", false),
    ("404", "A system, record, decision or proposal the request names does not exist", false),
    ("413", "Body too large", true),
    ("415", "The body is not `application/json`", true),
    ("422", "A well-formed request that is not valid", false),
    ("503", "The knowledge is not loaded, or the request took too long", false),
];

/// Paths served without a token, for load balancers and orchestrators.
const OPEN_PATHS: [&str; 2] = ["/healthz", "/readyz"];

/// Completes `doc` (the document as JSON) in place.
pub fn complete(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(operations) = item.as_object_mut() else { continue };
        for operation in operations.values_mut().filter_map(Value::as_object_mut) {
            if OPEN_PATHS.contains(&path.as_str()) {
                operation.insert("security".into(), json!([]));
            } else if path.starts_with("/v1/") {
                add_problems(operation);
            }
            if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) {
                parameters.iter_mut().filter_map(|p| p.get_mut("schema")).for_each(bound_integers);
            }
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for schema in schemas.values_mut() {
            if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                properties.values_mut().for_each(bound_integers);
            }
        }
    }
}

fn add_problems(operation: &mut Map<String, Value>) {
    let takes_body = operation.contains_key("requestBody");
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    for (status, description, body_only) in COMMON_PROBLEMS {
        if body_only && !takes_body {
            continue;
        }
        responses.entry(status).or_insert_with(|| {
            json!({
                "description": description,
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            })
        });
    }
}

/// The range of the Rust integer behind `schema`, from its format and sign
/// (utoipa gives `minimum: 0` for unsigned types and no format for `usize`).
fn bound_integers(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else { return };
    let integer = match object.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(types)) => types.iter().any(|t| t == "integer"),
        _ => false,
    };
    if !integer || object.contains_key("maximum") {
        return;
    }
    let unsigned = object.get("minimum").and_then(Value::as_f64) == Some(0.0);
    let (minimum, maximum) = match (object.get("format").and_then(Value::as_str), unsigned) {
        (Some("int32"), true) => (json!(0), json!(u32::MAX)),
        (Some("int32"), false) => (json!(i32::MIN), json!(i32::MAX)),
        (Some("int64"), false) => (json!(i64::MIN), json!(i64::MAX)),
        (_, true) => (json!(0), json!(u64::MAX)),
        (_, false) => return,
    };
    object.entry("minimum").or_insert(minimum);
    object.insert("maximum".into(), maximum);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_v1_operation_documents_the_common_problems() {
        let mut doc = json!({"paths": {
            "/v1/systems": {"get": {"responses": {"200": {}}}},
            "/v1/check": {"post": {"requestBody": {}, "responses": {"200": {}, "422": {"description": "mine"}}}},
            "/healthz": {"get": {"responses": {"200": {}}}},
        }});
        complete(&mut doc);
        let get = &doc["paths"]["/v1/systems"]["get"]["responses"];
        assert!(get.get("401").is_some() && get.get("503").is_some());
        assert!(get.get("415").is_none(), "no body, no 415");
        let post = &doc["paths"]["/v1/check"]["post"]["responses"];
        assert!(post.get("415").is_some());
        assert_eq!(post["422"]["description"], "mine", "what an operation says itself is kept");
        assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]));
        assert!(doc["paths"]["/healthz"]["get"]["responses"].get("401").is_none());
    }

    #[test]
    fn integers_get_the_range_of_their_rust_type() {
        let mut schema = json!({"type": "integer", "minimum": 0});
        bound_integers(&mut schema);
        assert_eq!(schema["maximum"], json!(u64::MAX));
        let mut schema = json!({"type": ["integer", "null"], "format": "int32", "minimum": 0});
        bound_integers(&mut schema);
        assert_eq!(schema["maximum"], json!(u32::MAX));
        let mut schema = json!({"type": "integer", "format": "int64"});
        bound_integers(&mut schema);
        assert_eq!((schema["minimum"].clone(), schema["maximum"].clone()), (json!(i64::MIN), json!(i64::MAX)));
        let mut schema = json!({"type": "integer", "minimum": 1, "maximum": 500});
        bound_integers(&mut schema);
        assert_eq!(schema["maximum"], json!(500), "a declared maximum is kept");
    }
}
