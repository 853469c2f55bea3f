//! What lore understands an action to be.

use std::fmt;

use lore_model::ActionClass;
use serde::{Deserialize, Serialize};

/// One thing a command would do: a tool, what it does, to what, where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The program, such as `kubectl` or `aws` (a path is reduced to its name).
    pub tool: String,
    /// The subcommand path, such as `["delete"]` or `["rds", "delete-db-instance"]`.
    pub command: Vec<String>,
    /// What kind of change it is, which the gate's rules match on.
    pub class: ActionClass,
    /// What it is done to; empty when the command names nothing.
    pub targets: Vec<Target>,
    /// Where it would run, as far as the command and its wrappers say.
    pub env: EnvHints,
    /// Flags that matter to a reviewer, normalised: `force`, `recursive`,
    /// `all`, `all-namespaces`, `cascade`, `dry-run`, `auto-approve`,
    /// `grace-period=0`, `scale-to-zero`, `no-where`, `heavy-lock`, …
    pub flags: Vec<String>,
    /// How hard it is to undo, from its class and flags.
    pub reversibility: Reversibility,
    /// Byte range of the command in the analysed text.
    pub span: Span,
    /// The command as written.
    pub text: String,
    /// What it runs inside, outermost first: `sudo`, `ssh db-1`, `bash -c`.
    pub wrappers: Vec<String>,
    /// Parts whose value cannot be known without running anything, such as
    /// `$NAMESPACE`. Never guessed.
    pub unknowns: Vec<String>,
}

impl Action {
    /// An action of `tool` and `class` with nothing else known yet
    /// (reversibility [`Reversibility::Unknown`]).
    pub fn new(tool: impl Into<String>, class: ActionClass) -> Action {
        Action {
            tool: tool.into(),
            command: Vec::new(),
            class,
            targets: Vec::new(),
            env: EnvHints::default(),
            flags: Vec::new(),
            reversibility: Reversibility::Unknown,
            span: Span::default(),
            text: String::new(),
            wrappers: Vec::new(),
            unknowns: Vec::new(),
        }
    }

    /// Whether the normalised flag `flag` (see [`Action::flags`]) is set.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Sets the normalised flag `flag`, once.
    pub fn flag(&mut self, flag: &str) {
        if !self.has_flag(flag) {
            self.flags.push(flag.to_string());
        }
    }

    /// The tool's family, for matching one spelling against another:
    /// `oc` and `kubecolor` are `kubectl`; `tf`, `tofu`, `terragrunt` are `terraform`.
    pub fn family(&self) -> &str {
        family(&self.tool)
    }

    /// `kubectl delete`, `aws rds delete-db-instance`.
    pub fn label(&self) -> String {
        std::iter::once(self.tool.as_str()).chain(self.command.iter().map(String::as_str)).collect::<Vec<_>>().join(" ")
    }
}

/// See [`Action::family`].
pub fn family(tool: &str) -> &str {
    match tool {
        "oc" | "kubecolor" | "microk8s.kubectl" => "kubectl",
        "tf" | "tofu" | "terragrunt" => "terraform",
        "podman" | "nerdctl" => "docker",
        other => other,
    }
}

/// A value a document writes in place of a real one: `<pod>`, `$NS`,
/// `{{ name }}`, `POD_NAME`, `...`.
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t.contains(['<', '>', '$', '{', '}', '…'])
        || t.contains("...")
        || t.contains("xxx")
        || t.contains("XXX")
        || (t.chars().any(|c| c.is_ascii_uppercase())
            && t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "_-".contains(c)))
}

/// Where an action is in the analysed text: the bytes `start..end`, or for a
/// manifest object its first and last line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The first byte (a manifest object's first line).
    pub start: usize,
    /// Just past the last byte (a manifest object's last line).
    pub end: usize,
}

/// What an action is done to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Target {
    /// A Kubernetes object or set of objects.
    Kubernetes {
        /// The resource kind, singular and lower case (`deployment`, `namespace`),
        /// or `resource` when only a selector says what.
        kind: String,
        /// The object's name; `None` for every object of the kind (or of the selector).
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The namespace, when written (`-n`, a manifest's metadata) and known.
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        /// A label selector (`-l app=web`) choosing the objects.
        #[serde(skip_serializing_if = "Option::is_none")]
        selector: Option<String>,
    },
    /// A cloud resource, from a provider's CLI or a Terraform plan.
    Cloud {
        /// `aws`, `gcp`, `azure`, or a Terraform provider's short name.
        provider: String,
        /// The provider's service (`rds`, `s3`); for a plan, the resource type (`aws_db_instance`).
        service: String,
        /// The kind of resource within the service (`db-instance`, `bucket`), when the command says.
        #[serde(skip_serializing_if = "Option::is_none")]
        resource_type: Option<String>,
        /// The resource's identifier or name, when the command gives it.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The region or zone, when written on the command line.
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    },
    /// A resource in Terraform or OpenTofu state.
    Terraform {
        /// Its address, such as `module.db.aws_db_instance.main`.
        address: String,
    },
    /// A database, schema or table; the parts the statement or connection names.
    Database {
        /// `postgres`, `mysql`, `mongodb`, …, when the client tool says; `None` for bare SQL.
        #[serde(skip_serializing_if = "Option::is_none")]
        engine: Option<String>,
        /// The database name, when given.
        #[serde(skip_serializing_if = "Option::is_none")]
        database: Option<String>,
        /// The schema, when the table name is qualified.
        #[serde(skip_serializing_if = "Option::is_none")]
        schema: Option<String>,
        /// The table, for statements on one table.
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<String>,
    },
    /// A machine reached over the network (`ssh`, `scp`, a database host).
    Host {
        /// The host name or address as written.
        name: String,
    },
    /// A file or directory.
    Path {
        /// The path as written, not resolved against the working directory.
        path: String,
    },
    /// A git remote and ref (`git push --force origin main`).
    Git {
        /// The remote's name or URL, when given.
        #[serde(skip_serializing_if = "Option::is_none")]
        remote: Option<String>,
        /// The branch, tag or refspec, when given.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        git_ref: Option<String>,
    },
    /// Anything else an action names, such as the URL a piped download runs.
    Other {
        /// The argument as written.
        value: String,
    },
}

impl Target {
    /// A Kubernetes target with no selector.
    pub fn kube(kind: &str, name: Option<&str>, namespace: Option<&str>) -> Target {
        Target::Kubernetes {
            kind: kind.to_string(),
            name: name.map(str::to_string),
            namespace: namespace.map(str::to_string),
            selector: None,
        }
    }

    /// A [`Target::Path`].
    pub fn path(path: &str) -> Target {
        Target::Path { path: path.to_string() }
    }

    /// A [`Target::Host`].
    pub fn host(name: &str) -> Target {
        Target::Host { name: name.to_string() }
    }

    /// The short form used in labelled test cases and listings:
    /// `k8s:namespace/prod`, `tf:module.db`, `db:payments.public.refunds`,
    /// `path:/var/log`, `host:db-1`, `git:origin/main`, `aws:rds/payments-prod`.
    pub fn short(&self) -> String {
        match self {
            Target::Kubernetes { kind, name, namespace, selector } => {
                let mut s = format!("k8s:{kind}");
                if let Some(name) = name {
                    s.push('/');
                    s.push_str(name);
                }
                if let Some(selector) = selector {
                    s.push_str(&format!("[{selector}]"));
                }
                if let Some(ns) = namespace {
                    s.push_str(&format!("@{ns}"));
                }
                s
            }
            Target::Cloud { provider, service, id, .. } => match id {
                Some(id) => format!("{provider}:{service}/{id}"),
                None => format!("{provider}:{service}"),
            },
            Target::Terraform { address } => format!("tf:{address}"),
            Target::Database { database, schema, table, .. } => {
                let parts: Vec<&str> = [database, schema, table].iter().filter_map(|p| p.as_deref()).collect();
                format!("db:{}", parts.join("."))
            }
            Target::Host { name } => format!("host:{name}"),
            Target::Path { path } => format!("path:{path}"),
            Target::Git { remote, git_ref } => {
                format!("git:{}/{}", remote.as_deref().unwrap_or(""), git_ref.as_deref().unwrap_or(""))
            }
            Target::Other { value } => format!("other:{value}"),
        }
    }
}

/// Where an action would run, as far as the command says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvHints {
    /// The kubeconfig context (`--context`, or the current context when implicit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_context: Option<Hint>,
    /// The Kubernetes namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Hint>,
    /// The AWS profile (`--profile`, `AWS_PROFILE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_profile: Option<Hint>,
    /// The AWS region (`--region`, `AWS_REGION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_region: Option<Hint>,
    /// The AWS account ID; only a structured action gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_account: Option<Hint>,
    /// The Google Cloud project (`--project`, `CLOUDSDK_CORE_PROJECT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gcp_project: Option<Hint>,
    /// The Azure subscription (`--subscription`, `AZURE_SUBSCRIPTION_ID`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azure_subscription: Option<Hint>,
    /// The Terraform workspace (`TF_WORKSPACE`, or the selected one when implicit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_workspace: Option<Hint>,
    /// The directory it runs in, from an earlier `cd` in the same script.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub directory: Option<Hint>,
    /// `-var-file` arguments, which often name the environment (`prod.tfvars`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub terraform_var_files: Vec<String>,
    /// Hosts it connects to (`ssh` destinations, `PGHOST`, `psql -h`), each once.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub hosts: Vec<String>,
    /// Database URLs and connection strings (`DATABASE_URL`, `psql postgres://…`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub connection_strings: Vec<String>,
}

impl EnvHints {
    /// The single-valued hints with their short names, for display.
    pub fn named(&self) -> [(&'static str, &Option<Hint>); 8] {
        [
            ("context", &self.kube_context),
            ("namespace", &self.namespace),
            ("aws-profile", &self.aws_profile),
            ("aws-region", &self.aws_region),
            ("aws-account", &self.aws_account),
            ("gcp-project", &self.gcp_project),
            ("azure-subscription", &self.azure_subscription),
            ("workspace", &self.terraform_workspace),
        ]
    }

    /// Adds `host` to [`EnvHints::hosts`] unless empty or already there.
    pub fn add_host(&mut self, host: &str) {
        if !host.is_empty() && !self.hosts.iter().any(|h| h == host) {
            self.hosts.push(host.to_string());
        }
    }

    /// Hints of `outer` (an ssh host, an env assignment) that this action does not set itself.
    pub fn inherit(&mut self, outer: &EnvHints) {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if self.$field.is_none() || self.$field.as_ref().is_some_and(Hint::is_implicit) {
                    if let Some(h) = &outer.$field {
                        if !h.is_implicit() {
                            self.$field = Some(h.clone());
                        }
                    }
                }
            )*};
        }
        take!(
            kube_context,
            namespace,
            aws_profile,
            aws_region,
            aws_account,
            gcp_project,
            azure_subscription,
            terraform_workspace,
            directory
        );
        for host in &outer.hosts {
            self.add_host(host);
        }
        for file in &outer.terraform_var_files {
            if !self.terraform_var_files.contains(file) {
                self.terraform_var_files.push(file.clone());
            }
        }
    }
}

/// An environment hint and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    /// The value; `None` when implicit, and for [`HintSource::Unknown`] the
    /// expression that would give it (`$NAMESPACE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Whether it was written, defaulted or hidden in a variable.
    pub source: HintSource,
}

/// Where an environment hint came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HintSource {
    /// Written on the command line (or in an env assignment before it).
    Explicit,
    /// Not on the command line: the tool's own default applies (the
    /// kubeconfig's current context, `AWS_PROFILE`, the selected workspace).
    Implicit,
    /// Given by a variable whose value cannot be known here.
    Unknown,
}

impl Hint {
    /// A value written on the command line.
    pub fn explicit(value: &str) -> Hint {
        Hint { value: Some(value.to_string()), source: HintSource::Explicit }
    }

    /// The tool's default applies; its value is not known here.
    pub fn implicit() -> Hint {
        Hint { value: None, source: HintSource::Implicit }
    }

    /// A value given by `expression` (a variable or substitution), not known here.
    pub fn unknown(expression: &str) -> Hint {
        Hint { value: Some(expression.to_string()), source: HintSource::Unknown }
    }

    /// Whether the tool's default applies.
    pub fn is_implicit(&self) -> bool {
        self.source == HintSource::Implicit
    }

    /// The value, only when it was written explicitly.
    pub fn value(&self) -> Option<&str> {
        match self.source {
            HintSource::Explicit => self.value.as_deref(),
            _ => None,
        }
    }
}

/// How hard an action is to undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reversibility {
    /// Changes nothing, or is undone by running its opposite.
    Reversible,
    /// Can be undone from backups, manifests or history, with effort.
    Recoverable,
    /// Cannot be undone: data or history is gone, or a secret was seen.
    Irreversible,
    /// Its effect cannot be told (an unknown class).
    Unknown,
}

impl Reversibility {
    /// A first estimate from the class, overridden by flags: `dry-run` is
    /// reversible, `skip-final-snapshot` and `no-where` irreversible.
    pub fn estimate(class: ActionClass, flags: &[String]) -> Reversibility {
        use ActionClass::*;
        let has = |f: &str| flags.iter().any(|x| x == f);
        if has("dry-run") {
            return Reversibility::Reversible;
        }
        if has("skip-final-snapshot") || has("no-where") {
            return Reversibility::Irreversible;
        }
        match class {
            Read | Create | Update | Restart | Scale | Deploy | Rollback | Exec | Failover | Drain | NetworkChange
            | PermissionChange => Reversibility::Reversible,
            Delete | Recreate | DataWrite | Migrate => Reversibility::Recoverable,
            DataDelete | BulkDestroy | HistoryRewrite | SecretRead => Reversibility::Irreversible,
            Unknown => Reversibility::Unknown,
        }
    }
}

impl fmt::Display for Reversibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reversibility::Reversible => "reversible",
            Reversibility::Recoverable => "recoverable",
            Reversibility::Irreversible => "irreversible",
            Reversibility::Unknown => "unknown",
        })
    }
}

/// What kind of input was analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// A shell command line or script.
    Shell,
    /// SQL statements.
    Sql,
    /// A Terraform or OpenTofu plan as JSON (`terraform show -json`).
    TerraformPlan,
    /// Kubernetes manifests (YAML) about to be applied.
    Manifest,
    /// Structured actions as JSON (docs/actions.md).
    Structured,
}

/// The result of analysing one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// What was analysed.
    pub kind: InputKind,
    /// The actions found, in the order they would run.
    pub actions: Vec<Action>,
    /// False when part of the input could not be analysed (a parse error, a
    /// size or depth limit): the gate should then treat it conservatively.
    pub complete: bool,
    /// Why the analysis is incomplete, one sentence each; empty when complete.
    pub problems: Vec<String>,
}

impl Analysis {
    /// An analysis that found nothing because of `problem`.
    pub fn incomplete(kind: InputKind, problem: impl Into<String>) -> Analysis {
        Analysis { kind, actions: Vec::new(), complete: false, problems: vec![problem.into()] }
    }
}
