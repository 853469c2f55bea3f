//! What the gate knows about where the agent runs: the working directory,
//! the environment variables that select clouds and clusters, and the time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lore_model::Timestamp;

use crate::workspace::Workspace;

/// Environment variables that decide where a tool acts when its command
/// line does not say.
const RELEVANT_VARS: [&str; 11] = [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "KUBECONFIG",
    "TF_WORKSPACE",
    "CLOUDSDK_CORE_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "AZURE_SUBSCRIPTION_ID",
    "HOME",
    "TMPDIR",
];

/// Where a check runs: the agent's directory, its relevant environment, the time.
#[derive(Debug, Clone)]
pub struct Context {
    /// The agent's working directory; `None` when not known.
    pub cwd: Option<PathBuf>,
    /// The environment variables that select clouds and clusters (and `HOME`,
    /// `TMPDIR` for a local caller), by name.
    pub vars: HashMap<String, String>,
    /// The time of the check: what freezes and expiries are judged against.
    pub now: Timestamp,
    /// git, asked about the working tree when a verdict depends on it; only
    /// for a caller on this machine.
    pub workspace: Option<Workspace>,
}

impl Context {
    /// The current process's environment, with `cwd` (from the agent's payload) if given.
    pub fn from_process(cwd: Option<PathBuf>) -> Context {
        let vars = RELEVANT_VARS.iter().filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v))).collect();
        let cwd = cwd.or_else(|| std::env::current_dir().ok());
        let workspace = cwd.as_deref().map(Workspace::new);
        Context { cwd, vars, now: Timestamp::now(), workspace }
    }

    /// A caller's context, sent over the network: only the variables that
    /// select clouds and clusters, and never ones that point at files here.
    pub fn from_vars(cwd: Option<PathBuf>, vars: &HashMap<String, String>) -> Context {
        let vars = vars
            .iter()
            .filter(|(k, _)| RELEVANT_VARS.contains(&k.as_str()) && !matches!(k.as_str(), "HOME" | "KUBECONFIG"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Context { cwd, vars, now: Timestamp::now(), workspace: None }
    }

    /// A context with nothing from the process: for tests and replays.
    pub fn empty(now: Timestamp) -> Context {
        Context::given(None, HashMap::new(), now)
    }

    /// A replayed or remote caller's context: its working directory and
    /// variables as given, with no questions asked of this machine.
    pub fn given(cwd: Option<PathBuf>, vars: HashMap<String, String>, now: Timestamp) -> Context {
        Context { cwd, vars, now, workspace: None }
    }

    /// The caller's home directory, when known.
    pub fn home(&self) -> Option<&str> {
        self.var("HOME")
    }

    /// The caller's temp directory, beside the usual ones.
    pub fn tmpdir(&self) -> Option<&str> {
        self.var("TMPDIR")
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The kubeconfig's current context: what kubectl uses without `--context`.
    pub fn kube_current_context(&self) -> Option<String> {
        let path = match self.var("KUBECONFIG") {
            Some(list) => PathBuf::from(list.split(':').next()?),
            None => PathBuf::from(self.var("HOME")?).join(".kube/config"),
        };
        // A plain scan: parsing the whole kubeconfig is not worth its cost here.
        let text = std::fs::read_to_string(path).ok()?;
        text.lines().find_map(|line| {
            let value = line.strip_prefix("current-context:")?.trim().trim_matches(['"', '\'']);
            (!value.is_empty()).then(|| value.to_string())
        })
    }

    /// The AWS profile the CLI uses without `--profile`: `AWS_PROFILE`, else
    /// `AWS_DEFAULT_PROFILE`, else `default`.
    pub fn aws_profile(&self) -> String {
        self.var("AWS_PROFILE").or_else(|| self.var("AWS_DEFAULT_PROFILE")).unwrap_or("default").to_string()
    }

    /// The Google Cloud project without `--project`: `CLOUDSDK_CORE_PROJECT`,
    /// else `GOOGLE_CLOUD_PROJECT`; `None` when neither is set.
    pub fn gcp_project(&self) -> Option<String> {
        self.var("CLOUDSDK_CORE_PROJECT").or_else(|| self.var("GOOGLE_CLOUD_PROJECT")).map(str::to_string)
    }

    /// The Terraform workspace: `TF_WORKSPACE`, else `.terraform/environment`
    /// in the working directory (or `-chdir`), else `default`.
    pub fn terraform_workspace(&self, chdir: Option<&str>) -> String {
        if let Some(ws) = self.var("TF_WORKSPACE") {
            return ws.to_string();
        }
        let base = match (&self.cwd, chdir) {
            (Some(cwd), Some(dir)) => cwd.join(dir),
            (Some(cwd), None) => cwd.clone(),
            (None, Some(dir)) => PathBuf::from(dir),
            (None, None) => return "default".into(),
        };
        std::fs::read_to_string(base.join(".terraform/environment"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "default".into())
    }

    /// The agent's working directory, when known.
    pub fn cwd(&self) -> Option<&Path> {
        self.cwd.as_deref()
    }
}
