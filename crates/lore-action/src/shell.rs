//! Shell commands as agents write them, parsed with a real bash parser
//! (brush-parser) and walked segment by segment, so that a safe segment
//! never hides a destructive one.

use std::collections::HashMap;

use brush_parser::ast::{self, SourceLocation};
use brush_parser::word::{WordPiece, WordPieceWithSource};
use lore_model::ActionClass;

use crate::model::{Action, Analysis, EnvHints, Hint, InputKind, Reversibility, Span};
use crate::tools::Opts;
use crate::{interpreter, tools};

/// Larger inputs are not analysed: the result says so, and the gate treats
/// the command conservatively.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;
/// Deeper nesting of `$(`, backticks, parentheses or braces is not analysed.
pub const MAX_NESTING: usize = 64;
/// How many times a command may re-enter the shell (`bash -c`, `eval`, `ssh`).
pub const MAX_REENTRY: usize = 8;
/// At most this many actions are reported for one input.
pub const MAX_ACTIONS: usize = 512;
/// At most this many commands are analysed for one input, counting each
/// pass of a walked loop and each call of a function: nested loops and
/// functions that call each other multiply them, and a few hundred bytes
/// could otherwise keep the analysis busy for minutes.
pub const MAX_STEPS: usize = 4096;
/// Parentheses or brackets left open past which the parser is not tried:
/// it cannot succeed, and its backtracking takes time exponential in their
/// number.
const MAX_UNCLOSED_PARENS: usize = 8;

/// A word after quote removal and expansion, as far as it can be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The word's text; a part whose value is unknown keeps its source form (`$NS`).
    pub text: String,
    /// Part of the word comes from a variable, a command substitution or
    /// arithmetic whose value is unknown here.
    pub unknown: bool,
}

impl Arg {
    /// A word whose whole text is known.
    pub fn known(text: &str) -> Arg {
        Arg { text: text.to_string(), unknown: false }
    }
}

/// A command after its wrappers were peeled off, ready for a tool analyser.
pub struct Invocation<'a> {
    /// The program name (basename).
    pub tool: &'a str,
    /// The arguments after the program name.
    pub args: &'a [Arg],
    /// What the command reads on stdin from a heredoc or here-string.
    pub stdin: Option<&'a str>,
    /// Env hints from assignments before the command and from wrappers.
    pub env: &'a EnvHints,
    /// Commands the tool will run itself (`kubectl exec -- …`, `docker exec`,
    /// `ansible -a …`), analysed after it, with a wrapper label.
    pub nested: Vec<(String, Vec<Arg>)>,
}

#[derive(Clone, Default)]
struct Context {
    wrappers: Vec<String>,
    env: EnvHints,
    /// The span in the original text, when analysing text nested inside it.
    outer_span: Option<Span>,
}

/// Analyses a shell command line or script: every segment of every chain,
/// after its wrappers, with what each would do.
pub fn analyze(text: &str) -> Analysis {
    let mut shell = Shell {
        vars: HashMap::new(),
        actions: Vec::new(),
        problems: Vec::new(),
        complete: true,
        source: text,
        pending_writes: Vec::new(),
        selected_workspace: None,
        selected_context: None,
        directory: None,
        piped: None,
        output: None,
        script_output: None,
        from_network: None,
        downloads: Vec::new(),
        process_download: None,
        fed_unknown: false,
        hidden_feed: false,
        renamed: HashMap::new(),
        functions: HashMap::new(),
        positional: None,
        aliases: HashMap::new(),
        uncalled: Vec::new(),
        called: std::collections::HashSet::new(),
        steps: 0,
    };
    shell.script(text, 0, &Context::default());
    for (name, ctx) in std::mem::take(&mut shell.uncalled) {
        if let Some((body, source)) = shell.functions.get(&name).cloned().filter(|_| !shell.called.contains(&name)) {
            shell.called.insert(name);
            shell.compound(&body, &source, 1, &ctx);
        }
    }
    Analysis { kind: InputKind::Shell, actions: shell.actions, complete: shell.complete, problems: shell.problems }
}

struct Shell<'s> {
    /// Variables assigned earlier in the script, with values known here.
    vars: HashMap<String, Option<String>>,
    actions: Vec<Action>,
    problems: Vec<String>,
    complete: bool,
    source: &'s str,
    /// Files a command redirects its output to, recorded once the command is.
    pending_writes: Vec<(Arg, bool)>,
    /// `terraform workspace select X` and `kubectl config use-context X`
    /// change where later commands of the same input run.
    selected_workspace: Option<String>,
    selected_context: Option<String>,
    /// Where an earlier `cd` moved the script, relative to where it started.
    directory: Option<String>,
    /// What the previous command of a pipeline writes to the next one's stdin.
    piped: Option<Feed>,
    /// What the command just analysed writes to stdout, when that can be known.
    output: Option<Feed>,
    /// What the last pipeline wrote, for a command substitution.
    script_output: Option<Feed>,
    /// The URL a shell or interpreter reads its program from (`curl … | sh`).
    from_network: Option<String>,
    /// Substitutions whose text is a download: `"$(curl -fsSL URL)"`.
    downloads: Vec<(String, String)>,
    /// The URL a process substitution of this command downloads: `bash <(curl URL)`.
    process_download: Option<String>,
    /// The command is fed by an earlier one of its pipeline whose output lore cannot know.
    fed_unknown: bool,
    /// Aliases defined earlier in the input: name → what it stands for.
    aliases: HashMap<String, String>,
    /// Functions defined earlier in the input: their bodies, and the text they were parsed from.
    functions: HashMap<String, (ast::CompoundCommand, String)>,
    /// Functions defined, in order, with where; and those called at least once.
    uncalled: Vec<(String, Context)>,
    called: std::collections::HashSet<String>,
    /// Commands analysed so far (see [`MAX_STEPS`]).
    steps: usize,
    /// The arguments of the function being analysed (`$1`, `"$@"`); `None` outside one.
    positional: Option<Vec<Arg>>,
    /// Tools copied or linked under another name earlier in the input
    /// (`ln -s /bin/rm ./x`): the new name (as written, and its basename) → the tool.
    renamed: HashMap<String, String>,
    /// The same, for the command being run (what a shell would read as its program).
    hidden_feed: bool,
}

/// A command's output as the next command of a pipeline reads it.
#[derive(Debug, Clone)]
enum Feed {
    /// Literal text: `echo`, `printf`, `cat <<EOF`.
    Text(String),
    /// Whatever a URL serves: `curl URL`, `wget -qO- URL`.
    Network(String),
}

impl Shell<'_> {
    fn out_of_steps(&self) -> bool {
        self.steps > MAX_STEPS
    }

    /// Counts one more command analysed; false once past [`MAX_STEPS`].
    fn step(&mut self) -> bool {
        self.steps += 1;
        if !self.out_of_steps() {
            return true;
        }
        self.give_up(format!(
            "more than {MAX_STEPS} commands (counting each loop pass and function call); the rest were not analysed"
        ));
        false
    }

    fn give_up(&mut self, problem: String) {
        self.complete = false;
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    fn script(&mut self, script: &str, depth: usize, ctx: &Context) {
        if depth > MAX_REENTRY {
            return self.give_up(format!("commands nested more than {MAX_REENTRY} shells deep were not analysed"));
        }
        if script.len() > MAX_INPUT_BYTES {
            return self.give_up(format!("input larger than {} KiB was not analysed", MAX_INPUT_BYTES / 1024));
        }
        if nesting_depth(script) > MAX_NESTING {
            return self.give_up(format!("nesting deeper than {MAX_NESTING} levels was not analysed"));
        }
        if unclosed(script, '(', ')') > MAX_UNCLOSED_PARENS || unclosed_literal(script, '[', ']') > MAX_UNCLOSED_PARENS
        {
            self.give_up(
                "could not parse the shell syntax (parentheses or brackets left open); analysed word by word".into(),
            );
            return self.fallback(script, depth, ctx);
        }
        let options = brush_parser::ParserOptions::default();
        let parsed =
            std::panic::catch_unwind(|| brush_parser::Parser::new(script.as_bytes(), &options).parse_program());
        match parsed {
            Ok(Ok(program)) => {
                for list in &program.complete_commands {
                    self.list(list, script, depth, ctx);
                }
            }
            Ok(Err(err)) => {
                self.give_up(format!("could not parse the shell syntax ({err}); analysed word by word"));
                self.fallback(script, depth, ctx);
            }
            Err(_) => {
                self.give_up("the shell parser failed; analysed word by word".into());
                self.fallback(script, depth, ctx);
            }
        }
    }

    /// Best effort for text the parser rejects: split on operators, then words.
    fn fallback(&mut self, script: &str, depth: usize, ctx: &Context) {
        const KEYWORDS: [&str; 12] = ["do", "done", "then", "else", "elif", "fi", "esac", "{", "}", "(", ")", "!"];
        for segment in split_segments(script) {
            let words: Vec<Arg> = naive_words(segment)
                .into_iter()
                .skip_while(|w| KEYWORDS.contains(&w.as_str()))
                .map(|w| Arg { text: w.clone(), unknown: w.contains('$') || w.contains('`') })
                .collect();
            if words.is_empty() {
                continue;
            }
            let start = segment.as_ptr() as usize - script.as_ptr() as usize;
            let span = ctx.outer_span.unwrap_or(Span { start, end: start + segment.len() });
            self.exec(words, None, EnvHints::default(), segment, span, depth, ctx);
        }
    }

    fn list(&mut self, list: &ast::CompoundList, src: &str, depth: usize, ctx: &Context) {
        for item in &list.0 {
            let and_or = &item.0;
            self.pipeline(&and_or.first, src, depth, ctx);
            for next in &and_or.additional {
                match next {
                    ast::AndOr::And(p) | ast::AndOr::Or(p) => self.pipeline(p, src, depth, ctx),
                }
            }
        }
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, src: &str, depth: usize, ctx: &Context) {
        let mut feed = None;
        for (i, command) in pipeline.seq.iter().enumerate() {
            self.fed_unknown = i > 0 && feed.is_none();
            self.piped = feed.take();
            self.output = None;
            self.command(command, src, depth, ctx);
            self.piped = None;
            feed = self.output.take();
        }
        self.script_output = feed;
    }

    fn command(&mut self, command: &ast::Command, src: &str, depth: usize, ctx: &Context) {
        if !self.step() {
            return;
        }
        match command {
            ast::Command::Simple(simple) => self.simple(simple, src, depth, ctx),
            ast::Command::Compound(compound, redirects) => {
                self.compound(compound, src, depth, ctx);
                if let Some(redirects) = redirects {
                    for redirect in &redirects.0 {
                        self.redirect(redirect, src, depth, ctx, &mut None);
                    }
                }
            }
            ast::Command::Function(function) => {
                // Analysed wherever it is called, with the arguments it is given;
                // a function never called, once at the end (`analyze`).
                self.functions.insert(function.fname.value.clone(), (function.body.0.clone(), src.to_string()));
                self.uncalled.push((function.fname.value.clone(), ctx.clone()));
            }
            ast::Command::ExtendedTest(..) => {}
        }
    }

    fn compound(&mut self, compound: &ast::CompoundCommand, src: &str, depth: usize, ctx: &Context) {
        use ast::CompoundCommand as C;
        match compound {
            C::BraceGroup(group) => self.list(&group.list, src, depth, ctx),
            C::Subshell(sub) => self.list(&sub.list, src, depth, ctx),
            C::ForClause(f) => {
                // A short literal list is walked value by value (a glob stays a
                // glob); otherwise the variable is unknown inside the body.
                const MAX_VALUES: usize = 16;
                let values: Vec<Arg> = f.values.iter().flatten().map(|w| self.expand(&w.value, depth, ctx)).collect();
                if !values.is_empty() && values.len() <= MAX_VALUES && values.iter().all(|v| !v.unknown) {
                    for value in values {
                        if self.out_of_steps() {
                            break;
                        }
                        self.vars.insert(f.variable_name.clone(), Some(value.text));
                        self.list(&f.body.list, src, depth, ctx);
                    }
                } else {
                    self.vars.insert(f.variable_name.clone(), None);
                    self.list(&f.body.list, src, depth, ctx);
                }
            }
            C::ArithmeticForClause(f) => self.list(&f.body.list, src, depth, ctx),
            C::CaseClause(c) => {
                for case in &c.cases {
                    if let Some(cmd) = &case.cmd {
                        self.list(cmd, src, depth, ctx);
                    }
                }
            }
            C::IfClause(i) => {
                self.list(&i.condition, src, depth, ctx);
                self.list(&i.then, src, depth, ctx);
                for branch in i.elses.iter().flatten() {
                    if let Some(cond) = &branch.condition {
                        self.list(cond, src, depth, ctx);
                    }
                    self.list(&branch.body, src, depth, ctx);
                }
            }
            C::WhileClause(w) | C::UntilClause(w) => {
                self.list(&w.0, src, depth, ctx);
                self.list(&w.1.list, src, depth, ctx);
            }
            C::Coprocess(c) => self.command(&c.body, src, depth, ctx),
            C::Arithmetic(_) => {}
        }
    }

    fn simple(&mut self, command: &ast::SimpleCommand, src: &str, depth: usize, ctx: &Context) {
        // Taken first: substitutions in the words run pipelines of their own.
        let piped = self.piped.take();
        let fed_unknown = std::mem::take(&mut self.fed_unknown);
        let own_span = command_span(command, src);
        let span = ctx.outer_span.unwrap_or(own_span);
        // The command as written where it runs, not the whole of what wraps
        // it: a `bash -c` of many commands must not cost each of them its
        // full length (the span still cites the outer command).
        let text = src.get(own_span.start..own_span.end).unwrap_or("").to_string();
        let mut assignments: Vec<(String, Arg)> = Vec::new();
        let mut words: Vec<Arg> = Vec::new();
        let mut stdin: Option<String> = None;
        let nested_ctx = Context { outer_span: Some(span), ..ctx.clone() };
        let first_write = self.pending_writes.len();

        let items = command
            .prefix
            .iter()
            .flat_map(|p| p.0.iter())
            .map(|item| (item, true))
            .chain(command.word_or_name.iter().map(|_| (&PLACEHOLDER, false)))
            .chain(command.suffix.iter().flat_map(|s| s.0.iter()).map(|item| (item, false)));
        let mut name_seen = false;
        let mut process_download = None;
        for (item, in_prefix) in items {
            if std::ptr::eq(item, &PLACEHOLDER) {
                if let Some(word) = &command.word_or_name {
                    let fields = self.fields(&word.value, depth, &nested_ctx);
                    words.extend(fields);
                    name_seen = true;
                }
                continue;
            }
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(assignment, word) => {
                    if in_prefix && !name_seen {
                        let name = match &assignment.name {
                            ast::AssignmentName::VariableName(n) | ast::AssignmentName::ArrayElementName(n, _) => {
                                n.clone()
                            }
                        };
                        let value = match &assignment.value {
                            ast::AssignmentValue::Scalar(w) => self.expand(&w.value, depth, &nested_ctx),
                            ast::AssignmentValue::Array(_) => Arg { text: String::new(), unknown: true },
                        };
                        assignments.push((name, value));
                    } else {
                        let fields = self.fields(&word.value, depth, &nested_ctx);
                        words.extend(fields);
                    }
                }
                ast::CommandPrefixOrSuffixItem::Word(word) => {
                    let fields = self.fields(&word.value, depth, &nested_ctx);
                    words.extend(fields);
                }
                ast::CommandPrefixOrSuffixItem::IoRedirect(redirect) => {
                    self.redirect(redirect, src, depth, &nested_ctx, &mut stdin);
                }
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, sub) => {
                    self.script_output = None;
                    self.list(&sub.list, src, depth, &nested_ctx);
                    // `bash <(curl URL)`: the file the shell reads is a download.
                    if let Some(Feed::Network(url)) = self.script_output.take() {
                        process_download = Some(url);
                    }
                }
            }
        }

        let writes: Vec<(Arg, bool)> = self.pending_writes.drain(first_write..).collect();
        if words.is_empty() {
            // `NS=prod` on its own: remember it for the commands that follow.
            for (name, value) in assignments {
                self.vars.insert(name, (!value.unknown).then_some(value.text));
            }
        } else {
            let mut env = EnvHints::default();
            for (name, value) in &assignments {
                apply_env_var(&mut env, name, value);
            }
            match piped {
                Some(Feed::Text(body)) if stdin.is_none() => stdin = Some(body),
                Some(Feed::Network(url)) if stdin.is_none() => self.from_network = Some(url),
                _ => {}
            }
            self.process_download = process_download;
            self.hidden_feed = fed_unknown && stdin.is_none() && self.from_network.is_none();
            let output = output_of(&words, stdin.as_deref());
            self.exec(words, stdin.as_deref(), env, &text, span, depth, ctx);
            self.from_network = None;
            self.process_download = None;
            self.hidden_feed = false;
            self.output = output;
        }
        // The command runs, then its output lands in the file.
        for (path, append) in writes {
            self.file_write(&path, append, &nested_ctx);
        }
    }

    fn redirect(
        &mut self,
        redirect: &ast::IoRedirect,
        src: &str,
        depth: usize,
        ctx: &Context,
        stdin: &mut Option<String>,
    ) {
        match redirect {
            ast::IoRedirect::HereDocument(_, doc) => {
                let body = if doc.requires_expansion {
                    self.expand_heredoc(&doc.doc.value, depth, ctx)
                } else {
                    doc.doc.value.clone()
                };
                *stdin = Some(body);
            }
            ast::IoRedirect::HereString(_, word) => *stdin = Some(self.expand(&word.value, depth, ctx).text),
            ast::IoRedirect::File(_, kind, target) => {
                use ast::IoFileRedirectKind as K;
                match target {
                    ast::IoFileRedirectTarget::Filename(word)
                        if matches!(kind, K::Write | K::Clobber | K::ReadAndWrite | K::Append) =>
                    {
                        let path = self.expand(&word.value, depth, ctx);
                        self.pending_writes.push((path, matches!(kind, K::Append)));
                    }
                    ast::IoFileRedirectTarget::ProcessSubstitution(_, sub) => self.list(&sub.list, src, depth, ctx),
                    _ => {}
                }
            }
            ast::IoRedirect::OutputAndError(word, append) => {
                let path = self.expand(&word.value, depth, ctx);
                self.pending_writes.push((path, *append));
            }
        }
    }

    /// `> file` overwrites it; `>> file` appends. Writes to /dev/null and
    /// the terminal are not actions.
    fn file_write(&mut self, path: &Arg, append: bool, ctx: &Context) {
        if path.text.starts_with("/dev/null") || path.text.starts_with("/dev/std") || path.text.starts_with("/dev/fd") {
            return;
        }
        let mut action = Action::new("shell", ActionClass::DataWrite);
        action.command = vec![if append { "append" } else { "overwrite" }.to_string()];
        action.targets.push(crate::model::Target::path(&path.text));
        if path.unknown {
            action.unknowns.push(path.text.clone());
        }
        if path.text.starts_with("/dev/sd") || path.text.starts_with("/dev/nvme") || path.text.starts_with("/dev/xvd") {
            action.class = ActionClass::BulkDestroy;
            action.flag("device");
        }
        self.push(action, ctx, ctx.outer_span.unwrap_or_default(), "");
    }

    /// Peels wrappers off a command and hands it to its tool's analyser.
    #[allow(clippy::too_many_arguments)]
    fn exec(
        &mut self,
        words: Vec<Arg>,
        stdin: Option<&str>,
        env: EnvHints,
        text: &str,
        span: Span,
        depth: usize,
        ctx: &Context,
    ) {
        let words = self.unmask(words, text, span, ctx);
        if let Some((body, source)) = words.first().and_then(|name| self.functions.get(&name.text)).cloned() {
            self.called.insert(words[0].text.clone());
            return self.call_function(&body, &source, &words[1..], depth, ctx);
        }
        if let Some(value) = words.first().and_then(|name| self.aliases.get(&name.text)).cloned() {
            let name = words[0].text.clone();
            return self.call_alias(&name, &value, &words[1..], text, span, depth, ctx);
        }
        let mut args: &[Arg] = &words;
        let mut ctx = ctx.clone();
        ctx.env = {
            let mut merged = env;
            merged.inherit(&ctx.env);
            merged
        };
        ctx.outer_span = Some(span);
        // Wrappers that only change how or as whom the command runs.
        for _ in 0..16 {
            let Some(first) = args.first() else { return };
            let name = basename(&first.text);
            let rest = &args[1..];
            let skip = match name {
                "sudo" | "doas" => {
                    // sudo [options] [VAR=value…] command
                    let mut n = skip_options(
                        rest,
                        &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group"],
                    );
                    while let Some((k, v)) =
                        rest.get(n).and_then(|a| a.text.split_once('=')).filter(|(k, _)| is_identifier(k))
                    {
                        apply_env_var(&mut ctx.env, k, &Arg { text: v.to_string(), unknown: rest[n].unknown });
                        n += 1;
                    }
                    Some(("sudo", n))
                }
                "env" => {
                    let mut i = 0;
                    while let Some(arg) = rest.get(i) {
                        if let Some((k, v)) = arg.text.split_once('=').filter(|(k, _)| is_identifier(k)) {
                            apply_env_var(&mut ctx.env, k, &Arg { text: v.to_string(), unknown: arg.unknown });
                            i += 1;
                        } else if arg.text == "-u" || arg.text == "-C" || arg.text == "--unset" || arg.text == "--chdir"
                        {
                            i += 2;
                        } else if arg.text.starts_with('-') || (arg.unknown && i + 1 < rest.len()) {
                            // `env $(cat .env | xargs) rails`: unknown words are assignments.
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    Some(("env", i))
                }
                "nohup" | "time" | "command" | "builtin" | "unbuffer" | "busybox" => {
                    Some((name, skip_options(rest, &[])))
                }
                // `exec -a NAME rm …` runs rm under another name.
                "exec" => Some(("exec", skip_options(rest, &["-a"]))),
                "nice" => Some(("nice", skip_options(rest, &["-n", "--adjustment"]))),
                "ionice" => Some(("ionice", skip_options(rest, &["-c", "-n", "-p", "-t", "--class", "--classdata"]))),
                "stdbuf" => Some(("stdbuf", skip_options(rest, &["-i", "-o", "-e"]))),
                "chrt" | "taskset" => Some((name, skip_options(rest, &[]) + 1)),
                "timeout" => Some(("timeout", skip_options(rest, &["-s", "-k", "--signal", "--kill-after"]) + 1)),
                "watch" => Some(("watch", skip_options(rest, &["-n", "--interval", "-d", "--differences"]))),
                "xargs" => {
                    ctx.wrappers.push("xargs".into());
                    let n = skip_options(
                        rest,
                        &[
                            "-I",
                            "-i",
                            "-n",
                            "-P",
                            "-L",
                            "-l",
                            "-d",
                            "-a",
                            "-s",
                            "-E",
                            "-e",
                            "--max-args",
                            "--max-procs",
                            "--delimiter",
                            "--arg-file",
                        ],
                    );
                    let inner = &rest[n.min(rest.len())..];
                    if inner.is_empty() {
                        return;
                    }
                    let replace = Opts::new(rest, &[]).value(&["-I", "-i", "--replace"]).map(|a| a.text);
                    for command in xargs_commands(inner, stdin, replace.as_deref()) {
                        self.exec(command, None, EnvHints::default(), text, span, depth, &ctx);
                    }
                    return;
                }
                _ => None,
            };
            match skip {
                Some((label, n)) => {
                    if !ctx.wrappers.iter().any(|w| w == label) {
                        ctx.wrappers.push(label.to_string());
                    }
                    args = &rest[n.min(rest.len())..];
                }
                None => break,
            }
        }
        let Some(first) = args.first() else { return };
        // `$(npm bin)/eslint` is eslint, wherever it lives; `$X` and `$(…)` are not known.
        if first.unknown && program_under_unknown_directory(&first.text).is_none() {
            if let Some(name) = environment_variable(&first.text).filter(|name| !self.vars.contains_key(*name)) {
                // From the caller's environment, as scripts do (`$EDITOR`, `$PYTHON`).
                return self.give_up(format!("the program is `${name}` from the environment, which lore cannot see"));
            }
            let what = format!("the program `{}`, a value lore cannot know", first.text);
            return self.hidden_program(&first.text, what, text, span, &ctx);
        }
        let renamed = self.renamed.get(&first.text).or_else(|| self.renamed.get(basename(&first.text))).cloned();
        if let Some(tool) = renamed {
            if depth >= MAX_REENTRY {
                return self.give_up(format!("tools renamed more than {MAX_REENTRY} times over were not analysed"));
            }
            // `./x -rf /srv` after `ln -s /bin/rm ./x` is rm.
            ctx.wrappers.push(format!("{tool} renamed {}", first.text));
            let command = std::iter::once(Arg::known(&tool)).chain(args[1..].iter().cloned()).collect();
            return self.exec(command, stdin, EnvHints::default(), text, span, depth + 1, &ctx);
        }
        let name = basename(&first.text).to_string();
        let rest = &args[1..];
        self.note_rename(&name, rest);
        if let Some(expanded) = (name == "git").then(|| git_alias(rest)).flatten() {
            let mut inner = ctx.clone();
            inner.wrappers.push("git alias".into());
            return match expanded {
                GitAlias::Shell(script) => self.script(&script, depth + 1, &inner),
                GitAlias::Git(words) => self.exec(words, stdin, EnvHints::default(), text, span, depth + 1, &inner),
            };
        }
        self.builtin(&name, rest);
        if let Some((label, profile, inner)) = credential_wrapper(&name, rest) {
            ctx.wrappers.push(label);
            if let Some(profile) = profile {
                ctx.env.aws_profile = Some(Hint::explicit(&profile));
            }
            return self.run_inner(inner, stdin, text, span, depth, &ctx);
        }
        match name.as_str() {
            "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" => {
                self.shell_invocation(&name, rest, stdin, text, span, depth, &ctx)
            }
            "eval" | "source" | "."
                if rest.iter().any(|a| self.download_in(a).is_some()) || self.from_network.is_some() =>
            {
                let url = rest.iter().find_map(|a| self.download_in(a)).or_else(|| self.from_network.take());
                self.network_program(&name, &url.unwrap_or_default(), text, span, &ctx);
            }
            "eval" => {
                // `eval "$(ssh-agent -s)"` only sets up the environment (the
                // substitution itself was analysed as it was expanded).
                if !rest.is_empty() && rest.iter().all(|a| prints_environment(&a.text)) {
                    return;
                }
                let script = rest.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
                let mut inner = ctx.clone();
                inner.wrappers.push("eval".into());
                self.script(&script, depth + 1, &inner);
            }
            "ssh" => self.ssh(rest, stdin, text, span, depth, &ctx),
            "gcloud" if rest.len() > 2 && rest[0].text == "compute" && rest[1].text == "ssh" => {
                self.gcloud_ssh(&rest[2..], stdin, text, span, depth, &ctx)
            }
            "knife" if rest.first().is_some_and(|a| a.text == "ssh") => {
                self.fan_out("knife ssh", &rest[1..], &["-x", "-a", "-C", "-i", "-p", "-P", "-G"], depth, &ctx)
            }
            "salt" | "pdsh" | "pssh" | "clush" | "parallel-ssh" => {
                self.fan_out(&name, rest, &["-w", "-H", "-h", "-g", "-l", "-t", "-p", "-x"], depth, &ctx)
            }
            "find" => self.find(rest, text, span, depth, &ctx),
            // `minikube kubectl -- get pods`: kubectl, on minikube's cluster.
            "minikube" | "microk8s" | "k3s" if rest.first().is_some_and(|a| a.text == "kubectl") => {
                let args = if rest.get(1).is_some_and(|a| a.text == "--") { &rest[2..] } else { &rest[1..] };
                ctx.wrappers.push(name.clone());
                let command = std::iter::once(Arg::known("kubectl")).chain(args.iter().cloned()).collect();
                self.exec(command, stdin, EnvHints::default(), text, span, depth + 1, &ctx)
            }
            _ if interpreter::Lang::of(&name).is_some() => {
                self.interpreter(&name, rest, stdin, text, span, depth, &ctx)
            }
            "cd" => {
                self.change_directory(rest.first());
                self.simple_tool(&name, rest, stdin, text, span, depth, &ctx)
            }
            // `with-prod kubectl delete …`: a word lore does not know, then a
            // tool it does with a subcommand, is a wrapper around that tool.
            _ if !tools::is_known(&name)
                && rest.first().is_some_and(|a| tools::is_known(basename(&a.text)))
                && rest.get(1).is_some_and(|a| !a.text.starts_with('-')) =>
            {
                ctx.wrappers.push(name.clone());
                self.exec(rest.to_vec(), stdin, EnvHints::default(), text, span, depth + 1, &ctx)
            }
            _ => self.simple_tool(&name, rest, stdin, text, span, depth, &ctx),
        }
    }

    /// The command a wrapper runs: one string is a script (`ansible -a "…"`,
    /// `sops exec-env F 'CMD'`), words are a command.
    fn run_inner(&mut self, inner: &[Arg], stdin: Option<&str>, text: &str, span: Span, depth: usize, ctx: &Context) {
        match inner {
            [] => {}
            [script] if script.text.contains(' ') => {
                let script = script.text.clone();
                self.script(&script, depth + 1, ctx)
            }
            words => self.exec(words.to_vec(), stdin, EnvHints::default(), text, span, depth + 1, ctx),
        }
    }

    /// `gcloud compute ssh HOST [--project P] [--zone Z] --command 'CMD'` (or `-- CMD`).
    fn gcloud_ssh(&mut self, rest: &[Arg], stdin: Option<&str>, text: &str, span: Span, depth: usize, ctx: &Context) {
        let mut inner = ctx.clone();
        let mut host = None;
        let mut command: Option<String> = None;
        let mut i = 0;
        while let Some(arg) = rest.get(i) {
            let (flag, value) = match arg.text.split_once('=') {
                Some((flag, value)) => (flag, Some(value.to_string())),
                None => (arg.text.as_str(), None),
            };
            let take = |i: &mut usize| {
                value.clone().or_else(|| {
                    *i += 1;
                    rest.get(*i).map(|a| a.text.clone())
                })
            };
            match flag {
                "--" => {
                    command = Some(rest[i + 1..].iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" "));
                    break;
                }
                "--command" => command = take(&mut i),
                "--project" => {
                    if let Some(project) = take(&mut i) {
                        inner.env.gcp_project = Some(Hint::explicit(&project));
                    }
                }
                "--zone" | "--ssh-flag" | "--ssh-key-file" if value.is_none() => i += 1,
                f if f.starts_with('-') => {}
                _ if host.is_none() => host = Some(arg.text.rsplit('@').next().unwrap_or(&arg.text).to_string()),
                _ => {}
            }
            i += 1;
        }
        let Some(host) = host else { return };
        inner.env.add_host(&host);
        inner.wrappers.push(format!("gcloud compute ssh {host}"));
        match command.or_else(|| stdin.map(str::to_string)) {
            Some(script) => self.script(&script, depth + 1, &inner),
            None => {
                let mut action = Action::new("gcloud", ActionClass::Exec);
                action.command = vec!["compute".into(), "ssh".into()];
                action.targets.push(crate::model::Target::host(&host));
                self.push(action, &inner, span, text);
            }
        }
    }

    /// `cd DIR`: later commands run in DIR. A directory that cannot be known
    /// (`cd $X`, `cd -`) forgets the one before.
    fn change_directory(&mut self, dir: Option<&Arg>) {
        self.directory = match dir {
            Some(dir) if !dir.unknown && dir.text != "-" => Some(match &self.directory {
                Some(before) if !dir.text.starts_with(['/', '~']) => {
                    format!("{}/{}", before.trim_end_matches('/'), dir.text)
                }
                _ => dir.text.clone(),
            }),
            _ => None,
        };
    }

    /// A tool's own analyser, then what runs inside it.
    #[allow(clippy::too_many_arguments)]
    fn simple_tool(
        &mut self,
        name: &str,
        rest: &[Arg],
        stdin: Option<&str>,
        text: &str,
        span: Span,
        depth: usize,
        ctx: &Context,
    ) {
        let mut invocation = Invocation { tool: name, args: rest, stdin, env: &ctx.env, nested: Vec::new() };
        let actions = tools::analyze(&mut invocation);
        let nested = std::mem::take(&mut invocation.nested);
        // What runs inside (`kubectl exec … -- psql`) runs where its wrapper does.
        let parent_env = actions.first().map(|a| a.env.clone()).unwrap_or_default();
        for action in actions {
            self.push(action, ctx, span, text);
        }
        for (wrapper, inner) in nested {
            let mut inner_ctx = ctx.clone();
            inner_ctx.wrappers.push(wrapper);
            inner_ctx.env.inherit(&parent_env);
            // `docker compose exec -T db psql <<EOF`: the stdin goes through.
            self.run_inner(&inner, stdin, text, span, depth, &inner_ctx);
        }
    }

    /// The interpreter itself, then the shell commands its inline code or
    /// stdin program would run.
    #[allow(clippy::too_many_arguments)]
    fn interpreter(
        &mut self,
        name: &str,
        rest: &[Arg],
        stdin: Option<&str>,
        text: &str,
        span: Span,
        depth: usize,
        ctx: &Context,
    ) {
        let Some(lang) = interpreter::Lang::of(name) else { return };
        let from_network = self.from_network.take();
        self.simple_tool(name, rest, stdin, text, span, depth, ctx);
        match interpreter::program(lang, rest, stdin) {
            Some(code) => {
                let mut inner = ctx.clone();
                inner.wrappers.push(format!("{name} code"));
                for command in interpreter::commands(lang, &code) {
                    self.script(&command, depth + 1, &inner);
                }
            }
            None => {
                if let Some(url) = from_network.filter(|_| interpreter::program(lang, rest, Some("")).is_some()) {
                    self.network_program(name, &url, text, span, ctx);
                }
            }
        }
    }

    /// The URL whose download a word's unknown text is (`"$(curl -fsSL URL)"`).
    fn download_in(&self, arg: &Arg) -> Option<String> {
        if !arg.unknown {
            return None;
        }
        self.downloads.iter().find(|(source, _)| arg.text.contains(source.as_str())).map(|(_, url)| url.clone())
    }

    /// What the shell's own commands change for the commands after them.
    fn builtin(&mut self, name: &str, rest: &[Arg]) {
        match name {
            "local" | "export" | "declare" | "typeset" | "readonly" => self.declare(rest),
            "alias" => self.define_aliases(rest),
            "shift" => {
                if let Some(positional) = self.positional.as_mut().filter(|p| !p.is_empty()) {
                    positional.remove(0);
                }
            }
            // `set -- rm -rf /srv`: the arguments `$1`… and `"$@"` stand for.
            "set" if rest.first().is_some_and(|a| a.text == "--" || !a.text.starts_with(['-', '+'])) => {
                let args = rest.strip_prefix(&[Arg::known("--")][..]).unwrap_or(rest);
                self.positional = Some(args.to_vec());
            }
            // `printf -v c 'rm'`: c holds what printf would print.
            "printf" if rest.first().is_some_and(|a| a.text == "-v") => {
                if let Some(var) = rest.get(1).filter(|v| is_identifier(&v.text)) {
                    let words: Vec<Arg> =
                        std::iter::once(Arg::known("printf")).chain(rest[2..].iter().cloned()).collect();
                    let value = match output_of(&words, None) {
                        Some(Feed::Text(text)) if rest[2..].iter().all(|a| !a.unknown) => Some(text),
                        _ => None,
                    };
                    self.vars.insert(var.text.clone(), value);
                }
            }
            // `read X`: a value from stdin, unknown here.
            "read" | "mapfile" | "readarray" => {
                for arg in rest.iter().filter(|a| is_identifier(&a.text)) {
                    self.vars.insert(arg.text.clone(), None);
                }
            }
            _ => {}
        }
    }

    /// A call of a function defined earlier: its body, with `$1`… and `"$@"`
    /// standing for these arguments.
    fn call_function(&mut self, body: &ast::CompoundCommand, source: &str, args: &[Arg], depth: usize, ctx: &Context) {
        if depth >= MAX_REENTRY {
            return self
                .give_up(format!("functions calling each other more than {MAX_REENTRY} deep were not analysed"));
        }
        let outer = self.positional.replace(args.to_vec());
        self.compound(body, source, depth + 1, ctx);
        self.positional = outer;
    }

    /// A command that starts with an alias: what the alias stands for, then
    /// the command's other words.
    #[allow(clippy::too_many_arguments)]
    fn call_alias(
        &mut self,
        name: &str,
        value: &str,
        rest: &[Arg],
        text: &str,
        span: Span,
        depth: usize,
        ctx: &Context,
    ) {
        if depth >= MAX_REENTRY {
            return self.give_up(format!("aliases expanding more than {MAX_REENTRY} deep were not analysed"));
        }
        let mut inner = ctx.clone();
        inner.wrappers.push("alias".into());
        // As in bash, an alias is not expanded again inside its own expansion
        // (`alias ls='ls --color'`).
        let saved = self.aliases.remove(name);
        if value.contains([';', '|', '&', '<', '>', '$', '`', '(']) {
            // `alias x='cd /srv; rm -rf *'`: a script of its own.
            let script =
                std::iter::once(value.to_string()).chain(rest.iter().map(|a| a.text.clone())).collect::<Vec<_>>();
            self.script(&script.join(" "), depth + 1, &inner);
        } else {
            let words = naive_words(value).iter().map(|w| Arg::known(w)).chain(rest.iter().cloned()).collect();
            self.exec(words, None, EnvHints::default(), text, span, depth + 1, &inner);
        }
        if let Some(saved) = saved {
            self.aliases.insert(name.to_string(), saved);
        }
    }

    /// `alias x='rm -rf'`: what `x` stands for from now on.
    fn define_aliases(&mut self, rest: &[Arg]) {
        for arg in rest {
            if let Some((name, value)) = arg.text.split_once('=').filter(|(_, _)| !arg.unknown) {
                self.aliases.insert(name.to_string(), value.to_string());
            }
        }
    }

    /// `local`, `export`, `declare NAME=VALUE`: the value, for later commands.
    fn declare(&mut self, rest: &[Arg]) {
        // `declare -n r=X` makes `r` a reference to `X`, not a value.
        if rest.iter().any(|a| a.text.starts_with('-') && a.text.contains('n')) {
            for arg in rest {
                if let Some((name, _)) = arg.text.split_once('=').filter(|(k, _)| is_identifier(k)) {
                    self.vars.insert(name.to_string(), None);
                }
            }
            return;
        }
        for arg in rest {
            if let Some((name, value)) = arg.text.split_once('=').filter(|(k, _)| is_identifier(k)) {
                self.vars.insert(name.to_string(), (!arg.unknown).then(|| value.to_string()));
            }
        }
    }

    /// `ln -s /bin/rm ./x`, `cp /usr/bin/kubectl /tmp/k`, `install /bin/rm
    /// ./del`, `hash -p /bin/rm ls`: the tool answers to another name from now on.
    fn note_rename(&mut self, name: &str, rest: &[Arg]) {
        let (source, target) = match name {
            "ln" | "cp" | "install" => {
                let operands: Vec<&Arg> = rest
                    [skip_options(rest, &["-m", "-o", "-g", "-t", "-S", "--mode", "--owner", "--group"])..]
                    .iter()
                    .filter(|a| !a.text.starts_with('-'))
                    .collect();
                match operands.as_slice() {
                    [.., source, target] => (*source, *target),
                    _ => return,
                }
            }
            "hash" => match rest {
                [flag, source, target, ..] if flag.text == "-p" => (source, target),
                _ => return,
            },
            _ => return,
        };
        let tool = basename(&source.text);
        if source.unknown || target.unknown || tool.is_empty() || tool == basename(&target.text) {
            return;
        }
        self.renamed.insert(target.text.clone(), tool.to_string());
        self.renamed.insert(basename(&target.text).to_string(), tool.to_string());
    }

    /// The words with look-alike characters read as the ASCII they resemble
    /// (`ｒｍ` as `rm`), so the command is judged as a reader would take it;
    /// a disguised word is itself reported.
    fn unmask(&mut self, words: Vec<Arg>, text: &str, span: Span, ctx: &Context) -> Vec<Arg> {
        if words.iter().all(|w| w.text.is_ascii()) {
            return words;
        }
        let mut out = Vec::with_capacity(words.len());
        for word in words {
            // Paths and URLs are names of their own, whatever they are written with.
            match crate::lookalike::unmask(&word.text).filter(|_| !word.text.contains('/')) {
                Some(plain) => {
                    let mut action = Action::new(&plain, ActionClass::Exec);
                    action.command = vec!["disguised-command".into()];
                    action.flag("look-alike");
                    action.unknowns.push(format!("`{}` is written to look like `{plain}`", word.text.escape_default()));
                    self.push(action, ctx, span, text);
                    out.extend(
                        plain.split(' ').filter(|p| !p.is_empty()).map(|p| Arg { text: p.to_string(), ..word.clone() }),
                    );
                }
                None => out.push(word),
            }
        }
        out
    }

    /// A command whose program lore cannot see: decoded, built from values
    /// it cannot expand, or read from an earlier command's output.
    fn hidden_program(&mut self, name: &str, what: String, text: &str, span: Span, ctx: &Context) {
        let mut action = Action::new(name, ActionClass::Exec);
        action.command = vec!["run-hidden-program".into()];
        action.flag("hidden-program");
        action.unknowns.push(what);
        self.push(action, ctx, span, text);
    }

    /// A shell or interpreter that runs whatever a URL serves.
    fn network_program(&mut self, name: &str, url: &str, text: &str, span: Span, ctx: &Context) {
        let mut action = Action::new(name, ActionClass::Exec);
        action.command = vec!["run-downloaded-code".into()];
        action.flag("from-network");
        action.targets.push(crate::model::Target::Other { value: url.to_string() });
        action.unknowns.push(format!("what {url} serves"));
        self.push(action, ctx, span, text);
    }

    #[allow(clippy::too_many_arguments)]
    fn shell_invocation(
        &mut self,
        name: &str,
        rest: &[Arg],
        stdin: Option<&str>,
        text: &str,
        span: Span,
        depth: usize,
        ctx: &Context,
    ) {
        let mut inner = ctx.clone();
        let dash_c = rest.iter().position(|a| {
            a.text == "-c" || (a.text.starts_with('-') && !a.text.starts_with("--") && a.text.contains('c'))
        });
        if let Some(script) = dash_c.and_then(|pos| rest.get(pos + 1)) {
            if let Some(url) = self.download_in(script) {
                return self.network_program(name, &url, text, span, ctx);
            }
            inner.wrappers.push(format!("{name} -c"));
            let script = script.text.clone();
            return self.script(&script, depth + 1, &inner);
        }
        // `sh -s ARGS` reads the program from stdin; otherwise the first
        // operand is a script file (`bash <(curl …)` is a download).
        let mut file = None;
        let mut operands = false;
        for arg in rest {
            let short = !operands && arg.text.starts_with('-') && !arg.text.starts_with("--");
            if short && arg.text.contains('s') {
                break;
            }
            if arg.text == "--" && !operands {
                operands = true;
                continue;
            }
            if operands || !arg.text.starts_with('-') {
                file = Some(arg);
                break;
            }
        }
        if let Some(url) = self.process_download.take().filter(|_| file.is_some()) {
            return self.network_program(name, &url, text, span, ctx);
        }
        match (file, stdin) {
            (Some(file), _) => {
                // Runs a script file lore cannot see into.
                let mut action = Action::new(name, ActionClass::Unknown);
                action.command = vec!["run-script".into()];
                action.targets.push(crate::model::Target::path(&file.text));
                action.unknowns.push(format!("the contents of {}", file.text));
                self.push(action, ctx, span, text);
            }
            (None, Some(body)) => {
                inner.wrappers.push(format!("{name} <<heredoc"));
                let body = body.to_string();
                self.script(&body, depth + 1, &inner);
            }
            (None, None) => match self.from_network.take() {
                Some(url) => self.network_program(name, &url, text, span, ctx),
                None if self.hidden_feed => {
                    let what = "its program, the output of an earlier command that lore cannot know".to_string();
                    self.hidden_program(name, what, text, span, ctx);
                }
                None => {
                    let mut action = Action::new(name, ActionClass::Exec);
                    action.command = vec!["interactive".into()];
                    self.push(action, ctx, span, text);
                }
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ssh(&mut self, rest: &[Arg], stdin: Option<&str>, text: &str, span: Span, depth: usize, ctx: &Context) {
        const VALUE_FLAGS: [&str; 20] = [
            "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q", "-R", "-S",
            "-W", "-w",
        ];
        let mut i = 0;
        let mut user = None;
        while let Some(arg) = rest.get(i) {
            if arg.text == "--" {
                i += 1;
                break;
            }
            if !arg.text.starts_with('-') {
                break;
            }
            if VALUE_FLAGS.contains(&arg.text.as_str()) {
                if arg.text == "-l" {
                    user = rest.get(i + 1).map(|a| a.text.clone());
                }
                i += 2;
            } else {
                i += 1;
            }
        }
        let Some(destination) = rest.get(i) else { return };
        let host =
            destination.text.rsplit('@').next().unwrap_or(&destination.text).trim_start_matches("ssh://").to_string();
        let host = host.split(':').next().unwrap_or(&host).to_string();
        let _ = user;
        let mut inner = ctx.clone();
        inner.env.add_host(&host);
        inner.wrappers.push(format!("ssh {host}"));
        let mut remote = &rest[i + 1..];
        if remote.first().is_some_and(|a| a.text == "--") {
            remote = &remote[1..];
        }
        if !remote.is_empty() {
            let script = remote.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
            return self.script(&script, depth + 1, &inner);
        }
        if let Some(body) = stdin {
            let body = body.to_string();
            return self.script(&body, depth + 1, &inner);
        }
        let mut action = Action::new("ssh", ActionClass::Exec);
        action.command = vec!["interactive".into()];
        action.targets.push(crate::model::Target::host(&host));
        self.push(action, &inner, span, text);
    }

    /// Runs a command on many hosts (`knife ssh QUERY CMD`, `pdsh -w HOSTS CMD`,
    /// `salt TARGET cmd.run CMD`): the command is analysed, its hosts are the selector.
    fn fan_out(&mut self, label: &str, rest: &[Arg], value_flags: &[&str], depth: usize, ctx: &Context) {
        let mut selectors = Vec::new();
        let mut positionals = Vec::new();
        let mut i = 0;
        while let Some(arg) = rest.get(i) {
            if value_flags.contains(&arg.text.as_str()) {
                if matches!(arg.text.as_str(), "-w" | "-H" | "-h" | "-g") {
                    selectors.extend(rest.get(i + 1).map(|a| a.text.clone()));
                }
                i += 2;
                continue;
            }
            if !arg.text.starts_with('-') {
                positionals.push(arg.text.as_str());
            }
            i += 1;
        }
        // Without a host flag the first word selects the hosts; salt names its module next.
        if selectors.is_empty() && !positionals.is_empty() {
            selectors.push(positionals.remove(0).to_string());
        }
        if label == "salt" && positionals.first().is_some_and(|m| m.starts_with("cmd.")) {
            positionals.remove(0);
        }
        let mut inner = ctx.clone();
        for selector in &selectors {
            inner.env.add_host(selector);
        }
        inner.wrappers.push(format!("{label} {}", selectors.join(",")));
        self.script(&positionals.join(" "), depth + 1, &inner);
    }

    /// `find … -delete` deletes what it finds; `-exec CMD {} ;` runs CMD on it.
    fn find(&mut self, rest: &[Arg], text: &str, span: Span, depth: usize, ctx: &Context) {
        let paths: Vec<&Arg> =
            rest.iter().take_while(|a| !a.text.starts_with('-') && a.text != "(" && a.text != "!").collect();
        // What is not an action, an option or an operator is a test.
        const NOT_TESTS: [&str; 36] = [
            "-delete",
            "-exec",
            "-execdir",
            "-ok",
            "-okdir",
            "-print",
            "-print0",
            "-printf",
            "-fprint",
            "-fprint0",
            "-fprintf",
            "-ls",
            "-fls",
            "-prune",
            "-quit",
            "-depth",
            "-d",
            "-maxdepth",
            "-mindepth",
            "-mount",
            "-xdev",
            "-follow",
            "-L",
            "-P",
            "-H",
            "-daystart",
            "-regextype",
            "-warn",
            "-nowarn",
            "-noleaf",
            "-not",
            "-a",
            "-and",
            "-o",
            "-or",
            "-true",
        ];
        // A test picks some files; without one, everything under the root is
        // found. A name test picks fewest.
        const NAME_TESTS: [&str; 9] =
            ["-name", "-iname", "-path", "-ipath", "-wholename", "-regex", "-iregex", "-lname", "-samefile"];
        let actions_at =
            rest.iter().position(|a| matches!(a.text.as_str(), "-delete" | "-exec" | "-execdir" | "-ok" | "-okdir"));
        let filtered = rest[..actions_at.unwrap_or(rest.len())]
            .iter()
            .any(|a| a.text.starts_with('-') && a.text.len() > 1 && !NOT_TESTS.contains(&a.text.as_str()));
        let named = rest.windows(2).any(|w| NAME_TESTS.contains(&w[0].text.as_str()) && w[1].text != "*");
        let mut i = 0;
        let mut acted = false;
        while i < rest.len() {
            let arg = &rest[i].text;
            if arg == "-delete" {
                let mut action = Action::new("find", ActionClass::DataDelete);
                action.command = vec!["-delete".into()];
                action.flag("recursive");
                if filtered {
                    action.flag("filtered");
                }
                if named {
                    action.flag("named");
                }
                action.targets.extend(paths.iter().map(|p| crate::model::Target::path(&p.text)));
                if paths.is_empty() {
                    action.targets.push(crate::model::Target::path("."));
                }
                self.push(action, ctx, span, text);
                acted = true;
            } else if matches!(arg.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") {
                let end = rest[i + 1..]
                    .iter()
                    .position(|a| a.text == ";" || a.text == "\\;" || a.text == "+")
                    .map_or(rest.len(), |p| i + 1 + p);
                // `{}` is each file found: all of them are under the one root searched.
                let root = match paths.as_slice() {
                    [] => Some(Arg::known(".")),
                    [root] if !root.unknown => Some((*root).clone()),
                    _ => None,
                };
                // Files a test picked are `ROOT/{}`: under the root, not all of it.
                let found = match root {
                    Some(root) if filtered => Arg::known(&format!("{}/{{}}", root.text.trim_end_matches('/'))),
                    Some(root) => root,
                    None => Arg { text: "{}".into(), unknown: true },
                };
                let inner: Vec<Arg> =
                    rest[i + 1..end].iter().map(|a| if a.text == "{}" { found.clone() } else { a.clone() }).collect();
                if !inner.is_empty() {
                    let mut inner_ctx = ctx.clone();
                    // Whether `{}` is everything under the root, or what a test picked.
                    let picked = match (named, filtered) {
                        (true, _) => " named",
                        (false, true) => " matching",
                        _ => "",
                    };
                    inner_ctx.wrappers.push(format!("find {arg}{picked}"));
                    self.exec(inner, None, EnvHints::default(), text, span, depth + 1, &inner_ctx);
                }
                acted = true;
                i = end;
            }
            i += 1;
        }
        if !acted {
            let mut action = Action::new("find", ActionClass::Read);
            action.targets.extend(paths.iter().map(|p| crate::model::Target::path(&p.text)));
            self.push(action, ctx, span, text);
        }
    }

    fn push(&mut self, mut action: Action, ctx: &Context, span: Span, text: &str) {
        if self.actions.len() >= MAX_ACTIONS {
            return self.give_up(format!("more than {MAX_ACTIONS} actions; the rest were not analysed"));
        }
        action.env.inherit(&ctx.env);
        self.apply_selections(&mut action);
        action.wrappers = ctx.wrappers.clone();
        action.span = ctx.outer_span.unwrap_or(span);
        if action.text.is_empty() {
            action.text = match text {
                "" => self.source.get(action.span.start..action.span.end).unwrap_or_default().to_string(),
                own => own.to_string(),
            };
        }
        if action.reversibility == Reversibility::Unknown {
            action.reversibility = Reversibility::estimate(action.class, &action.flags);
        }
        self.actions.push(action);
    }

    fn apply_selections(&mut self, action: &mut Action) {
        let terraform = action.family() == "terraform";
        let kube = matches!(action.tool.as_str(), "kubectl" | "oc" | "helm");
        if terraform && action.command == ["workspace", "select"] {
            self.selected_workspace =
                action.env.terraform_workspace.as_ref().and_then(|h| h.value()).map(str::to_string);
        } else if terraform
            && let Some(ws) = &self.selected_workspace
            && action.env.terraform_workspace.as_ref().is_none_or(Hint::is_implicit)
        {
            action.env.terraform_workspace = Some(Hint::explicit(ws));
        }
        // Terraform's Kubernetes and Helm providers, and scripts lore cannot
        // read, act on the selected kube context too.
        let uses_kube_context = kube || terraform || action.class == ActionClass::Unknown;
        if kube && action.command == ["config", "use-context"] {
            self.selected_context = action.env.kube_context.as_ref().and_then(|h| h.value()).map(str::to_string);
        } else if uses_kube_context
            && let Some(context) = &self.selected_context
            && action.env.kube_context.as_ref().is_none_or(Hint::is_implicit)
        {
            action.env.kube_context = Some(Hint::explicit(context));
        }
        if let Some(dir) = &self.directory
            && action.env.directory.is_none()
        {
            action.env.directory = Some(Hint::explicit(dir));
        }
    }

    /// Quote removal and expansion of one word. Variables assigned earlier
    /// in the script are substituted; anything else is kept as written and
    /// marked unknown. Command substitutions run, so they are analysed.
    /// A word as one argument, without field splitting (assignments,
    /// redirections, `for` values).
    fn expand(&mut self, raw: &str, depth: usize, ctx: &Context) -> Arg {
        self.expand_split(raw, depth, ctx).0
    }

    /// A command's word as the arguments it becomes: the values of unquoted
    /// expansions are split on `IFS`, so `C="rm -rf /"; $C` is `rm`, `-rf`, `/`.
    fn fields(&mut self, raw: &str, depth: usize, ctx: &Context) -> Vec<Arg> {
        // `"$@"` is each of a function's arguments, as given.
        if let Some(args) = self.positional.as_ref().filter(|_| matches!(raw, "\"$@\"" | "$@" | "\"${@}\"" | "${@}")) {
            return args.clone();
        }
        let (arg, splittable) = self.expand_split(raw, depth, ctx);
        if splittable.is_empty() {
            return vec![arg];
        }
        let ifs = self.variable("$IFS").unwrap_or_default();
        let mut fields = Vec::new();
        let mut current = String::new();
        for (i, ch) in arg.text.char_indices() {
            let splits = ifs.contains(ch) && splittable.iter().any(|(start, end)| (*start..*end).contains(&i));
            if splits {
                fields.push(std::mem::take(&mut current));
            } else {
                current.push(ch);
            }
        }
        fields.push(current);
        fields.into_iter().filter(|f| !f.is_empty()).map(|text| Arg { text, unknown: arg.unknown }).collect()
    }

    /// The word, and the byte ranges of its text that unquoted expansions produced.
    fn expand_split(&mut self, raw: &str, depth: usize, ctx: &Context) -> (Arg, Vec<(usize, usize)>) {
        let options = brush_parser::ParserOptions::default();
        let pieces = match std::panic::catch_unwind(|| brush_parser::word::parse(raw, &options)) {
            Ok(Ok(pieces)) => pieces,
            _ => return (Arg { text: strip_quotes(raw), unknown: raw.contains('$') || raw.contains('`') }, Vec::new()),
        };
        let mut arg = Arg { text: String::new(), unknown: false };
        let mut splittable = Vec::new();
        self.pieces(&pieces, raw, &mut arg, Some(&mut splittable), depth, ctx);
        (arg, splittable)
    }

    /// Appends the pieces' values to `arg`; `splittable`, when the pieces are
    /// unquoted, collects where expansions put text that field splitting cuts.
    fn pieces(
        &mut self,
        pieces: &[WordPieceWithSource],
        raw: &str,
        arg: &mut Arg,
        mut splittable: Option<&mut Vec<(usize, usize)>>,
        depth: usize,
        ctx: &Context,
    ) {
        for piece in pieces {
            let source = raw.get(piece.start_index..piece.end_index).unwrap_or("");
            let before = arg.text.len();
            let expands = matches!(
                piece.piece,
                WordPiece::ParameterExpansion(_)
                    | WordPiece::CommandSubstitution(_)
                    | WordPiece::BackquotedCommandSubstitution(_)
            );
            match &piece.piece {
                WordPiece::Text(text) | WordPiece::SingleQuotedText(text) => arg.text.push_str(text),
                WordPiece::AnsiCQuotedText(text) => arg.text.push_str(&ansi_c(text)),
                WordPiece::EscapeSequence(text) => arg.text.push_str(text.strip_prefix('\\').unwrap_or(text)),
                WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    self.pieces(inner, raw, arg, None, depth, ctx)
                }
                WordPiece::TildeExpansion(_) => arg.text.push_str(source),
                WordPiece::ParameterExpansion(_) => match self.variable(source) {
                    Some(value) => arg.text.push_str(&value),
                    None => {
                        arg.text.push_str(source);
                        arg.unknown = true;
                    }
                },
                WordPiece::CommandSubstitution(inner) | WordPiece::BackquotedCommandSubstitution(inner) => {
                    let mut sub = ctx.clone();
                    sub.wrappers.push("$(…)".into());
                    self.script_output = None;
                    self.script(inner, depth + 1, &sub);
                    // `$(echo /var/www)`, `$(pwd)`: output lore can know stands in.
                    match self.script_output.take() {
                        Some(Feed::Text(out)) if !out.contains('`') => arg.text.push_str(out.trim_end_matches('\n')),
                        Some(Feed::Network(url)) => {
                            self.downloads.push((source.to_string(), url));
                            arg.text.push_str(source);
                            arg.unknown = true;
                        }
                        _ => {
                            arg.text.push_str(source);
                            arg.unknown = true;
                        }
                    }
                }
                WordPiece::ArithmeticExpression(_) => {
                    arg.text.push_str(source);
                    arg.unknown = true;
                }
            }
            // An unknown value keeps its source form (`$X`, `$(cmd a b)`), which is not split.
            let known = arg.text.get(before..).is_some_and(|value| value != source);
            if let Some(ranges) = splittable.as_deref_mut().filter(|_| expands && known) {
                ranges.push((before, arg.text.len()));
            }
        }
    }

    /// The value of `$NAME` or `${NAME}` when assigned earlier in the script.
    fn variable(&self, expression: &str) -> Option<String> {
        let inner = expression.strip_prefix('$')?;
        let name = inner.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(inner);
        if let Some(args) = &self.positional {
            let known = |args: &[Arg]| args.iter().all(|a| !a.unknown);
            match name {
                "@" | "*" if known(args) => {
                    return Some(args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" "));
                }
                "#" => return Some(args.len().to_string()),
                _ => {}
            }
            if let Ok(n @ 1..) = name.parse::<usize>() {
                return args
                    .get(n - 1)
                    .filter(|a| !a.unknown)
                    .map(|a| a.text.clone())
                    .or(Some(String::new()).filter(|_| n > args.len()));
            }
        }
        if !is_identifier(name) {
            return None;
        }
        match self.vars.get(name) {
            Some(value) => value.clone(),
            // Unset, IFS splits on blanks and newlines (`rm${IFS}-rf${IFS}/`).
            None if name == "IFS" => Some(" \t\n".to_string()),
            None => None,
        }
    }

    fn expand_heredoc(&mut self, body: &str, depth: usize, ctx: &Context) -> String {
        // bash refuses an unclosed `$(` or `${` in a heredoc, and
        // brush-parser's backtracking on them is exponential (four took 4 s).
        if unclosed_literal(body, '(', ')') > 0
            || unclosed_literal(body, '{', '}') > 0
            || unclosed_literal(body, '[', ']') > MAX_UNCLOSED_PARENS
        {
            self.give_up(
                "a heredoc with parentheses, braces or brackets left open was read as it is, not expanded".into(),
            );
            return body.to_string();
        }
        // Substitutions inside an unquoted heredoc run too.
        let options = brush_parser::ParserOptions::default();
        match std::panic::catch_unwind(|| brush_parser::word::parse_heredoc(body, &options)) {
            Ok(Ok(pieces)) => {
                let mut arg = Arg { text: String::new(), unknown: false };
                self.pieces(&pieces, body, &mut arg, None, depth, ctx);
                arg.text
            }
            _ => body.to_string(),
        }
    }
}

static PLACEHOLDER: ast::CommandPrefixOrSuffixItem =
    ast::CommandPrefixOrSuffixItem::Word(ast::Word { value: String::new(), loc: None });

/// From the first to the last located word of a command (redirections carry
/// no location in brush-parser, so the union of the words is used).
fn command_span(command: &ast::SimpleCommand, src: &str) -> Span {
    let locations = command
        .prefix
        .iter()
        .flat_map(|p| p.0.iter())
        .chain(command.suffix.iter().flat_map(|s| s.0.iter()))
        .filter_map(SourceLocation::location)
        .chain(command.word_or_name.as_ref().and_then(SourceLocation::location));
    let (mut start, mut end) = (usize::MAX, 0);
    for loc in locations {
        start = start.min(loc.start.index);
        end = end.max(loc.end.index);
    }
    if start == usize::MAX {
        Span { start: 0, end: src.len() }
    } else {
        Span { start: start.min(src.len()), end: end.min(src.len()) }
    }
}

/// What a command writes to stdout, when it is literal (`echo`, `printf`,
/// `cat <<EOF`) or a download (`curl URL`, `wget -qO- URL`).
fn output_of(words: &[Arg], stdin: Option<&str>) -> Option<Feed> {
    let (first, args) = words.split_first()?;
    let texts = || args.iter().map(|a| a.text.as_str());
    let literal = args.iter().all(|a| !a.unknown);
    match basename(&first.text) {
        "echo" | "printf" if !literal => None,
        "echo" => {
            let flags: Vec<&str> = texts().take_while(|a| a.starts_with('-') && a.len() > 1).collect();
            let body = texts().skip(flags.len()).collect::<Vec<_>>().join(" ");
            let escapes = flags.iter().any(|f| f.contains('e'));
            Some(Feed::Text(if escapes { ansi_c(&body) } else { body }))
        }
        "printf" => {
            let (format, values) = args.split_first()?;
            Some(Feed::Text(printf(&ansi_c(&format.text), values)))
        }
        "cat" if args.iter().all(|a| a.text == "-") => stdin.map(|s| Feed::Text(s.to_string())),
        // Where the caller is; the gate resolves `$PWD` against its working directory.
        "pwd" => Some(Feed::Text("$PWD".into())),
        // `$(which kubectl)`, `$(command -v git)`: that tool, wherever it is installed.
        "which" | "command" | "type" if literal => {
            let mut names = texts().filter(|a| !a.starts_with('-'));
            let name = names.next()?;
            (names.next().is_none() && (first.text != "command" || texts().any(|a| a == "-v")))
                .then(|| Feed::Text(name.into()))
        }
        "git" if texts().collect::<Vec<_>>() == ["rev-parse", "--show-toplevel"] => Some(Feed::Text("$PWD".into())),
        "dirname" => {
            let path = args.iter().find(|a| !a.text.starts_with('-')).filter(|a| !a.unknown || a.text == "$PWD")?;
            let trimmed = path.text.trim_end_matches('/');
            Some(Feed::Text(match trimmed.rsplit_once('/') {
                Some(("", _)) => "/".into(),
                Some((parent, _)) => parent.to_string(),
                None if trimmed.starts_with('$') => format!("{trimmed}/.."),
                None => ".".into(),
            }))
        }
        tool @ ("curl" | "wget") => {
            let to_stdout = match tool {
                "curl" => !texts().any(|a| {
                    matches!(a, "-o" | "-O" | "--output" | "--remote-name" | "--remote-name-all")
                        || (a.starts_with('-') && !a.starts_with("--") && a.contains(['o', 'O']))
                }),
                _ => {
                    texts().collect::<Vec<_>>().windows(2).any(|w| w[0].ends_with('O') && w[1] == "-")
                        || texts().any(|a| a == "-O-" || a == "-qO-" || a == "--output-document=-")
                }
            };
            let url = texts().find(|a| a.contains("://")).or_else(|| texts().find(|a| !a.starts_with('-')))?;
            to_stdout.then(|| Feed::Network(url.to_string()))
        }
        _ => None,
    }
}

/// The commands `xargs CMD` runs: its input's words appended (or put in
/// place of `-I`'s string), when the input is literal; else one command
/// with an unknown argument.
fn xargs_commands(inner: &[Arg], stdin: Option<&str>, replace: Option<&str>) -> Vec<Vec<Arg>> {
    const MAX_ITEMS: usize = 64;
    let Some(items) = stdin.map(naive_words).filter(|items| !items.is_empty()) else {
        let mut command = inner.to_vec();
        command.push(Arg { text: "$XARGS_INPUT".into(), unknown: true });
        return vec![command];
    };
    match replace {
        Some(pattern) => items
            .iter()
            .take(MAX_ITEMS)
            .map(|item| inner.iter().map(|a| Arg { text: a.text.replace(pattern, item), ..a.clone() }).collect())
            .collect(),
        None => {
            let mut command = inner.to_vec();
            command.extend(items.iter().take(MAX_ITEMS).map(|item| Arg::known(item)));
            vec![command]
        }
    }
}

/// Env vars that say where a command runs.
fn apply_env_var(env: &mut EnvHints, name: &str, value: &Arg) {
    let hint = if value.unknown { Hint::unknown(&value.text) } else { Hint::explicit(&value.text) };
    match name {
        "AWS_PROFILE" | "AWS_DEFAULT_PROFILE" => env.aws_profile = Some(hint),
        "AWS_REGION" | "AWS_DEFAULT_REGION" => env.aws_region = Some(hint),
        "TF_WORKSPACE" => env.terraform_workspace = Some(hint),
        "CLOUDSDK_CORE_PROJECT" | "GOOGLE_CLOUD_PROJECT" => env.gcp_project = Some(hint),
        "AZURE_SUBSCRIPTION_ID" => env.azure_subscription = Some(hint),
        "PGHOST" | "MYSQL_HOST" | "REDIS_HOST" => env.add_host(&value.text),
        "DATABASE_URL" | "PGURI" => env.connection_strings.push(value.text.clone()),
        _ => {}
    }
}

/// The last component of a `/`-separated path: the program name of `/usr/bin/kubectl`.
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !text.starts_with(|c: char| c.is_ascii_digit())
}

/// A credential wrapper and what it runs: its label, the profile it
/// selects, and the inner command. `aws-vault exec P -- CMD`, `op run --
/// CMD`, `doppler run [--config C] -- CMD`, `sops exec-env FILE 'CMD'`.
fn credential_wrapper<'a>(name: &str, rest: &'a [Arg]) -> Option<(String, Option<String>, &'a [Arg])> {
    let after_dashes = |args: &'a [Arg]| args.iter().position(|a| a.text == "--").map(|p| &args[p + 1..]);
    match (name, rest.first().map(|a| a.text.as_str())) {
        ("aws-vault", Some("exec")) => {
            let profile = rest.get(1).filter(|a| !a.text.starts_with('-')).map(|a| a.text.clone());
            let inner = after_dashes(rest).unwrap_or_else(|| rest.get(2..).unwrap_or(&[]));
            Some((format!("aws-vault exec {}", profile.clone().unwrap_or_default()), profile, inner))
        }
        ("op" | "doppler", Some("run")) => {
            let config = rest
                .iter()
                .position(|a| matches!(a.text.as_str(), "--config" | "-c" | "--env-file"))
                .and_then(|p| rest.get(p + 1))
                .map(|a| a.text.clone());
            // Their config names an environment, not a cloud profile: it stays in the label.
            let label = format!("{name} run {}", config.unwrap_or_default()).trim_end().to_string();
            Some((label, None, after_dashes(rest)?))
        }
        ("sops", Some("exec-env" | "exec-file")) => {
            let file = rest.get(1)?.text.clone();
            Some((format!("sops exec-env {file}"), None, rest.get(2..)?))
        }
        ("with-aws-profile", Some(profile)) => {
            Some((format!("{name} {profile}"), Some(profile.to_string()), rest.get(1..)?))
        }
        _ => None,
    }
}

/// How many leading arguments are options (and their values) of a wrapper.
fn skip_options(args: &[Arg], value_flags: &[&str]) -> usize {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg.text == "--" {
            return i + 1;
        }
        if !arg.text.starts_with('-') || arg.text == "-" {
            break;
        }
        let flag = arg.text.split('=').next().unwrap_or(&arg.text);
        i += if value_flags.contains(&flag) && !arg.text.contains('=') { 2 } else { 1 };
    }
    // A value flag at the end (`ln -t`) has no value to skip.
    i.min(args.len())
}

/// The deepest nesting of `$(`, backticks, `(`, `{` and `[`, ignoring quotes.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut single = false;
    let mut backtick = false;
    let mut escaped = false;
    for ch in text.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' if !single => escaped = true,
            '\'' => single = !single,
            '`' if !single => {
                if backtick {
                    depth = depth.saturating_sub(1);
                } else {
                    depth += 1;
                }
                backtick = !backtick;
            }
            '(' | '{' | '[' if !single => depth += 1,
            ')' | '}' | ']' if !single => depth = depth.saturating_sub(1),
            _ => {}
        }
        max = max.max(depth);
    }
    max
}

/// How many `open` are still unmatched by `close` at the end of `text`,
/// outside quotes and comments. For parentheses any is a syntax error; many
/// of either make the parser slow to say so.
fn unclosed(text: &str, open_char: char, close_char: char) -> usize {
    let (mut open, mut quote, mut escaped, mut comment) = (0usize, None, false, false);
    let mut previous = ' ';
    for ch in text.chars() {
        match (quote, ch) {
            _ if escaped => escaped = false,
            _ if comment => comment = ch != '\n',
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            (None, '#') if previous.is_whitespace() || matches!(previous, ';' | '&' | '|' | '(') => comment = true,
            (None, c) if c == open_char => open += 1,
            (None, c) if c == close_char => open = open.saturating_sub(1),
            _ => {}
        }
        previous = ch;
    }
    open
}

/// How many `open` are left unmatched by `close`, counting inside quotes
/// too: in a heredoc's body quotes are text, and quotes nested in `"$(…)"`
/// defeat a simple quote tracker.
fn unclosed_literal(text: &str, open_char: char, close_char: char) -> usize {
    let (mut open, mut escaped) = (0usize, false);
    for ch in text.chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == open_char => open += 1,
            c if c == close_char => open = open.saturating_sub(1),
            _ => {}
        }
    }
    open
}

fn ansi_c(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    // Up to `max` digits of `radix`, as bash reads `\x41`, `\101`, `\u00e9`.
    let number = |chars: &mut std::iter::Peekable<std::str::Chars>, radix: u32, max: usize| {
        let mut value = 0u32;
        let mut digits = 0;
        while digits < max {
            let Some(d) = chars.peek().and_then(|c| c.to_digit(radix)) else { break };
            value = value.saturating_mul(radix).saturating_add(d);
            chars.next();
            digits += 1;
        }
        (digits > 0).then_some(value)
    };
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some(escape) = chars.next() else {
            out.push('\\');
            break;
        };
        let decoded = match escape {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'e' | 'E' => Some('\u{1b}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' | '\'' | '"' | '?' => Some(escape),
            'x' => number(&mut chars, 16, 2).and_then(char::from_u32),
            'u' => number(&mut chars, 16, 4).and_then(char::from_u32),
            'U' => number(&mut chars, 16, 8).and_then(char::from_u32),
            'c' => chars.next().and_then(|c| char::from_u32(u32::from(c.to_ascii_uppercase()) ^ 0x40)),
            '0'..='7' => {
                let mut value = escape.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    let Some(d) = chars.peek().and_then(|c| c.to_digit(8)) else { break };
                    value = value * 8 + d;
                    chars.next();
                }
                char::from_u32(value & 0xff)
            }
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => {
                out.push('\\');
                out.push(escape);
            }
        }
    }
    out
}

/// What a git alias given on the command line stands for.
enum GitAlias {
    /// `-c alias.x='!rm -rf /srv'`: a shell command.
    Shell(String),
    /// `-c alias.x='push --force'`: a git command.
    Git(Vec<Arg>),
}

/// `git -c alias.NAME=VALUE NAME ARGS…`: the command the alias runs.
fn git_alias(rest: &[Arg]) -> Option<GitAlias> {
    let mut aliases = Vec::new();
    let mut i = 0;
    while let Some(arg) = rest.get(i) {
        match arg.text.as_str() {
            "-c" => {
                let setting = rest.get(i + 1)?;
                if let Some((name, value)) = setting.text.strip_prefix("alias.").and_then(|s| s.split_once('=')) {
                    aliases.push((name.to_string(), value.to_string()));
                }
                i += 2;
            }
            "-C" | "--git-dir" | "--work-tree" | "--namespace" => i += 2,
            flag if flag.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let command = rest.get(i)?;
    let (_, value) = aliases.into_iter().find(|(name, _)| *name == command.text)?;
    let args = rest[i + 1..].iter();
    Some(match value.strip_prefix('!') {
        Some(script) => GitAlias::Shell(
            std::iter::once(script.to_string()).chain(args.map(|a| a.text.clone())).collect::<Vec<_>>().join(" "),
        ),
        None => GitAlias::Git(
            std::iter::once(Arg::known("git"))
                .chain(naive_words(&value).iter().map(|w| Arg::known(w)))
                .chain(args.cloned())
                .collect(),
        ),
    })
}

/// What `printf FORMAT VALUES…` prints for `%s`, `%b` and `%d`: the format
/// is used again while values are left, as printf does.
fn printf(format: &str, values: &[Arg]) -> String {
    const SPECS: [&str; 3] = ["%s", "%b", "%d"];
    let mut values = values.iter();
    let mut out = String::new();
    loop {
        let mut rest = format;
        let mut used = false;
        while let Some(at) = SPECS.iter().filter_map(|p| rest.find(p)).min() {
            out.push_str(&rest[..at]);
            if let Some(value) = values.next() {
                out.push_str(&value.text);
                used = true;
            }
            rest = &rest[at + 2..];
        }
        out.push_str(rest);
        if !used || values.len() == 0 {
            return out;
        }
    }
}

/// `$(npm bin)/eslint`, `$GOPATH/bin/lint`, `` `npm bin`/x ``: one expansion
/// naming a directory, then a literal path; the program's name.
fn program_under_unknown_directory(text: &str) -> Option<&str> {
    let rest = if let Some(inner) = text.strip_prefix("$(") {
        &inner[inner.find(')')? + 1..]
    } else if let Some(inner) = text.strip_prefix('`') {
        &inner[inner.find('`')? + 1..]
    } else if let Some(inner) = text.strip_prefix("${") {
        let end = inner.find('}')?;
        is_identifier(&inner[..end]).then_some(&inner[end + 1..])?
    } else {
        let inner = text.strip_prefix('$')?;
        &inner[inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?..]
    };
    let name = basename(rest);
    (rest.starts_with('/') && !rest.contains(['$', '`']) && !name.is_empty()).then_some(name)
}

/// `$NAME`, `${NAME}`, `$1` or `$@` alone: a variable's name.
fn environment_variable(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('$')?;
    let name = inner.strip_prefix('{').and_then(|n| n.strip_suffix('}')).unwrap_or(inner);
    let special = name.len() == 1 && name.chars().all(|c| c.is_ascii_digit() || matches!(c, '@' | '*'));
    (is_identifier(name) || special).then_some(name)
}

/// Tools whose output is shell code that only sets up the environment,
/// made to be `eval`ed: `eval "$(ssh-agent -s)"`, `eval "$(direnv export bash)"`.
const ENVIRONMENT_PRINTERS: [&str; 16] = [
    "ssh-agent",
    "direnv",
    "pyenv",
    "rbenv",
    "nodenv",
    "goenv",
    "jenv",
    "brew",
    "conda",
    "opam",
    "starship",
    "zoxide",
    "fnm",
    "mise",
    "rtx",
    "minikube",
];

/// A command substitution that runs only an environment printer.
fn prints_environment(text: &str) -> bool {
    let inner = text
        .strip_prefix("$(")
        .and_then(|t| t.strip_suffix(')'))
        .or_else(|| text.strip_prefix('`').and_then(|t| t.strip_suffix('`')));
    inner.is_some_and(|inner| {
        !inner.contains(['|', ';', '&', '$', '`'])
            && inner.split_whitespace().next().is_some_and(|tool| ENVIRONMENT_PRINTERS.contains(&basename(tool)))
    })
}

fn strip_quotes(word: &str) -> String {
    word.chars().filter(|c| *c != '"' && *c != '\'').collect()
}

/// Splits text the parser rejected on `;`, `&&`, `||`, `|` and newlines,
/// outside quotes.
fn split_segments(script: &str) -> Vec<&str> {
    let bytes = script.as_bytes();
    let mut segments = Vec::new();
    let mut start = 0;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b';' || b == b'\n' || b == b'|' || b == b'&' => {
                segments.push(&script[start..i]);
                while i + 1 < bytes.len() && matches!(bytes[i + 1], b'|' | b'&') {
                    i += 1;
                }
                start = i + 1;
            }
            None => {}
        }
        i += 1;
    }
    segments.push(&script[start.min(script.len())..]);
    segments.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect()
}

fn naive_words(segment: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for ch in segment.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => current.push(ch),
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if ch.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            None => current.push(ch),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_outside_single_quotes() {
        assert_eq!(nesting_depth("echo $(a $(b))"), 2);
        assert_eq!(nesting_depth("echo '((((('"), 0);
        assert!(nesting_depth(&"$(".repeat(10_000)) > MAX_NESTING);
    }

    #[test]
    fn open_parentheses_are_counted_outside_quotes_and_comments() {
        assert_eq!(unclosed("((a) (b", '(', ')'), 2);
        assert_eq!(unclosed("echo '(((' \"(((\" \\( # (((", '(', ')'), 0);
        assert_eq!(unclosed("case $x in a) ls ;; esac (", '(', ')'), 1);
        assert_eq!(unclosed_literal("ls [ab]* \"${a[1]} [\" [", '[', ']'), 2, "brackets count inside quotes");
    }

    #[test]
    fn fallback_segments_respect_quotes() {
        assert_eq!(split_segments("a 'x;y' ; b && c | d"), vec!["a 'x;y'", "b", "c", "d"]);
        assert_eq!(naive_words("kubectl delete 'ns' \"prod x\""), vec!["kubectl", "delete", "ns", "prod x"]);
    }
}
