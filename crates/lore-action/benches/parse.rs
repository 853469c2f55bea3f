//! Parsing speed: typical agent commands should take microseconds.

use criterion::{Criterion, criterion_group, criterion_main};

const COMMANDS: [(&str, &str); 8] = [
    ("kubectl delete", "kubectl --context prod-eu-1 -n payments delete deployment payments-api"),
    ("chained", "kubectl get pods -n shop && kubectl delete ns prod"),
    ("terraform", "terraform -chdir=infra/prod destroy -auto-approve -target=module.payments_db"),
    (
        "aws",
        "aws --profile acme-prod rds delete-db-instance --db-instance-identifier payments-prod --skip-final-snapshot",
    ),
    ("psql -c", "psql -h payments-db.prod.acme.internal -d payments -c \"UPDATE refunds SET state = 'pending'\""),
    ("sudo bash -c", "sudo bash -c 'systemctl stop nginx && rm -rf /var/www/html'"),
    ("ssh heredoc", "ssh deploy@db-1 <<'EOF'\nredis-cli FLUSHALL\nEOF"),
    ("git", "git push --force origin main"),
];

fn benches(c: &mut Criterion) {
    for (name, command) in COMMANDS {
        c.bench_function(&format!("shell/{name}"), |b| b.iter(|| lore_action::analyze_shell(command)));
    }
    c.bench_function("sql/alter table", |b| {
        b.iter(|| {
            lore_action::analyze_sql("ALTER TABLE email ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)")
        })
    });
}

criterion_group! {
    name = parse_benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(parse_benches);
