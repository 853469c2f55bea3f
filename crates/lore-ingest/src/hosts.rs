//! Reading dependencies out of configuration: which env vars name another
//! service, and which host a value points at.

use lore_model::SystemKind;

/// Env var names that conventionally hold the address of another service.
pub fn is_address_var(name: &str) -> bool {
    const SUFFIXES: [&str; 11] = [
        "_ADDR",
        "_ADDRESS",
        "_HOST",
        "_HOSTNAME",
        "_URL",
        "_URI",
        "_ENDPOINT",
        "_SERVER",
        "_SERVICE_HOST",
        "_DSN",
        "_BROKERS",
    ];
    let upper = name.to_ascii_uppercase();
    SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// The service host a value points at: `http://cart:7070/x` → `cart`,
/// `redis-cart.default.svc.cluster.local:6379` → `redis-cart`. Loopback, IPs,
/// wildcards and unresolved variables give `None`.
pub fn target_host(value: &str) -> Option<String> {
    let value = value.trim().trim_matches(['"', '\'']);
    if value.is_empty() || value.contains('$') || value.contains(' ') {
        return None;
    }
    let rest = value.split_once("://").map(|(_, r)| r).unwrap_or(value);
    let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
    // Several brokers: take the first.
    let rest = rest.split(',').next().unwrap_or(rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = if host.starts_with('[') { return None } else { host.split(':').next().unwrap_or(host) };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty()
        || host == "localhost"
        || host == "*"
        || host.parse::<std::net::IpAddr>().is_ok()
        || host.starts_with("0.0.0.0")
    {
        return None;
    }
    if !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_') {
        return None;
    }
    if !host.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    // In-cluster DNS: the service name is the first label.
    if host.contains(".svc") || host.ends_with(".cluster.local") {
        return host.split('.').next().map(str::to_string);
    }
    Some(host)
}

/// A guess at what a container is from its image name.
pub fn kind_from_image(image: &str) -> SystemKind {
    let name = image.rsplit('/').next().unwrap_or(image).split([':', '@']).next().unwrap_or(image).to_ascii_lowercase();
    const DATASTORES: [&str; 13] = [
        "redis",
        "valkey",
        "postgres",
        "mysql",
        "mariadb",
        "mongo",
        "cassandra",
        "elasticsearch",
        "opensearch",
        "memcached",
        "etcd",
        "cockroach",
        "clickhouse",
    ];
    const QUEUES: [&str; 5] = ["kafka", "rabbitmq", "nats", "pulsar", "activemq"];
    if DATASTORES.iter().any(|d| name.contains(d)) {
        SystemKind::Datastore
    } else if QUEUES.iter().any(|q| name.contains(q)) {
        SystemKind::Queue
    } else {
        SystemKind::Service
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_vars_are_recognised() {
        assert!(is_address_var("REDIS_ADDR"));
        assert!(is_address_var("product_catalog_service_addr"));
        assert!(is_address_var("OTEL_EXPORTER_OTLP_ENDPOINT"));
        assert!(!is_address_var("PORT"));
        assert!(!is_address_var("ENABLE_PROFILER"));
    }

    #[test]
    fn hosts_are_extracted() {
        assert_eq!(target_host("productcatalogservice:3550").as_deref(), Some("productcatalogservice"));
        assert_eq!(target_host("http://email:6060").as_deref(), Some("email"));
        assert_eq!(
            target_host("redis://user:pw@redis-cart.shop.svc.cluster.local:6379/0").as_deref(),
            Some("redis-cart")
        );
        assert_eq!(target_host("kafka:9092,kafka2:9092").as_deref(), Some("kafka"));
        assert_eq!(target_host("localhost:8080"), None);
        assert_eq!(target_host("127.0.0.1"), None);
        assert_eq!(target_host("${HOST}:80"), None);
        assert_eq!(target_host(""), None);
        assert_eq!(target_host("[::1]:80"), None);
    }

    #[test]
    fn images_hint_the_kind() {
        assert_eq!(kind_from_image("redis:alpine"), SystemKind::Datastore);
        assert_eq!(kind_from_image("ghcr.io/valkey-io/valkey:9.0.4-alpine3.23"), SystemKind::Datastore);
        assert_eq!(kind_from_image("apache/kafka:3.7"), SystemKind::Queue);
        assert_eq!(kind_from_image("frontend"), SystemKind::Service);
    }
}
