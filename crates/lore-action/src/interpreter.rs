//! Code run by an interpreter on its command line or stdin (`python -c`,
//! `node -e`, `perl -e`, `awk 'BEGIN{system(…)}'`): the shell commands it
//! would run, and its well-known destructive calls written as the shell
//! commands they equal, for the shell analyser to read.
//!
//! Only literal strings count: a path or command held in a variable is not
//! guessed at. Calls inside string literals or comments are data.

use crate::shell::Arg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Node,
    Ruby,
    Perl,
    Php,
    Deno,
    Awk,
}

impl Lang {
    pub fn of(tool: &str) -> Option<Lang> {
        let base = tool.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        Some(match base {
            "python" | "pypy" => Lang::Python,
            "node" | "nodejs" | "bun" => Lang::Node,
            "ruby" => Lang::Ruby,
            "perl" => Lang::Perl,
            "php" => Lang::Php,
            "deno" => Lang::Deno,
            "awk" | "gawk" | "mawk" | "nawk" => Lang::Awk,
            _ => return None,
        })
    }

    /// Comments start with `#` here (else `//`).
    fn hash_comments(self) -> bool {
        matches!(self, Lang::Python | Lang::Ruby | Lang::Perl | Lang::Php | Lang::Awk)
    }

    /// Backticks run a shell command (in JavaScript they are strings).
    fn backticks_run(self) -> bool {
        matches!(self, Lang::Ruby | Lang::Perl | Lang::Php)
    }
}

/// The program an invocation runs, when it is on the command line or on
/// stdin; `None` for a script file or a module.
pub fn program(lang: Lang, args: &[Arg], stdin: Option<&str>) -> Option<String> {
    let inline: &[&str] = match lang {
        Lang::Python => &["-c"],
        Lang::Node => &["-e", "--eval", "-p", "--print"],
        Lang::Ruby => &["-e"],
        Lang::Perl => &["-e", "-E"],
        Lang::Php => &["-r"],
        Lang::Deno | Lang::Awk => &[],
    };
    let mut parts = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let text = arg.text.as_str();
        // Perl and Ruby bundle flags before `e`: `-lne`, `-pe`.
        let bundled = matches!(lang, Lang::Perl | Lang::Ruby)
            && text.starts_with('-')
            && !text.starts_with("--")
            && (text.ends_with('e') || text.ends_with('E'))
            && text[1..].chars().all(|c| c.is_ascii_alphabetic());
        if inline.contains(&text) || bundled {
            parts.extend(args.get(i + 1).map(|a| a.text.clone()));
            i += 2;
            if lang == Lang::Python {
                break;
            }
            continue;
        }
        i += 1;
    }
    if !parts.is_empty() {
        return Some(parts.join("\n"));
    }
    let positionals: Vec<&Arg> = positionals(lang, args);
    match lang {
        Lang::Deno => match positionals.as_slice() {
            [verb, code, ..] if verb.text == "eval" => Some(code.text.clone()),
            _ => None,
        },
        Lang::Awk => positionals.first().filter(|_| !args.iter().any(|a| a.text == "-f")).map(|a| a.text.clone()),
        _ => match positionals.first() {
            Some(first) if first.text == "-" => stdin.map(str::to_string),
            // `python -m json.tool` (or `-mjson.tool`) runs a module, not stdin.
            None if !args.iter().any(|a| a.text.starts_with("-m")) => stdin.map(str::to_string),
            _ => None,
        },
    }
}

fn positionals(lang: Lang, args: &[Arg]) -> Vec<&Arg> {
    let value_flags: &[&str] = match lang {
        Lang::Awk => &["-F", "-v", "-f"],
        Lang::Python => &["-m", "-W", "-X"],
        Lang::Node => &["-r", "--require", "--import"],
        _ => &[],
    };
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg.text == "-" || !arg.text.starts_with('-') {
            out.push(arg);
            i += 1;
        } else {
            i += if value_flags.contains(&arg.text.as_str()) { 2 } else { 1 };
        }
    }
    out
}

/// What a call does, as a shell command.
#[derive(Clone, Copy)]
enum Effect {
    /// The first argument is a shell string, or a list of words.
    Shell,
    /// A program and its arguments, never a shell: `spawn('rm', ['-rf', x])`.
    Spawn,
    /// Removes the path in its first argument, and everything under it.
    RemoveTree,
    /// Removes the file in its first argument; recursive when the call says `recursive`.
    Remove,
    /// The text in its brackets is a shell command: Perl's `qx(…)`, Ruby's `%x(…)`.
    Quoted,
}

const NODE_CALLS: [(&str, Effect); 14] = [
    ("execSync", Effect::Shell),
    ("exec", Effect::Shell),
    ("spawnSync", Effect::Spawn),
    ("spawn", Effect::Spawn),
    ("execFileSync", Effect::Spawn),
    ("execFile", Effect::Spawn),
    ("rmSync", Effect::Remove),
    ("rmdirSync", Effect::Remove),
    ("unlinkSync", Effect::Remove),
    ("fs.rm", Effect::Remove),
    ("fs.promises.rm", Effect::Remove),
    ("rimraf", Effect::RemoveTree),
    ("rimraf.sync", Effect::RemoveTree),
    ("removeSync", Effect::RemoveTree),
];

/// Deno's own; it runs Node's modules too (`node:child_process`).
const DENO_CALLS: [(&str, Effect); 3] =
    [("Deno.remove", Effect::Remove), ("Deno.removeSync", Effect::Remove), ("Deno.Command", Effect::Spawn)];

/// Calls that only turn a literal into a path (`os.path.expanduser('~')`,
/// `glob "/etc/*"`): the path is the literal.
const PATH_HELPERS: [&str; 9] = [
    "os.path.expanduser",
    "os.path.abspath",
    "os.path.realpath",
    "pathlib.Path",
    "File.expand_path",
    "path.resolve",
    "Dir.glob",
    "glob.glob",
    "glob",
];

fn calls(lang: Lang) -> impl Iterator<Item = &'static (&'static str, Effect)> {
    let node_too: &[(&str, Effect)] = if lang == Lang::Deno { &NODE_CALLS } else { &[] };
    own_calls(lang).iter().chain(node_too)
}

fn own_calls(lang: Lang) -> &'static [(&'static str, Effect)] {
    use Effect::*;
    match lang {
        Lang::Python => &[
            ("os.system", Shell),
            ("os.popen", Shell),
            ("subprocess.run", Shell),
            ("subprocess.call", Shell),
            ("subprocess.check_call", Shell),
            ("subprocess.check_output", Shell),
            ("subprocess.Popen", Shell),
            ("subprocess.getoutput", Shell),
            ("subprocess.getstatusoutput", Shell),
            ("rmtree", RemoveTree),
            ("os.remove", Remove),
            ("os.unlink", Remove),
        ],
        Lang::Node => &NODE_CALLS,
        Lang::Ruby => &[
            ("system", Shell),
            ("exec", Shell),
            ("IO.popen", Shell),
            ("Open3.capture2", Shell),
            ("Open3.capture3", Shell),
            ("%x", Quoted),
            ("rm_rf", RemoveTree),
            ("rm_r", RemoveTree),
            ("remove_dir", RemoveTree),
            ("remove_entry", RemoveTree),
            ("rmtree", RemoveTree),
            ("rm_f", Remove),
            ("FileUtils.rm", Remove),
            ("File.delete", Remove),
            ("File.unlink", Remove),
        ],
        Lang::Perl => &[
            ("system", Shell),
            ("exec", Shell),
            ("qx", Quoted),
            ("rmtree", RemoveTree),
            ("remove_tree", RemoveTree),
            ("unlink", Remove),
        ],
        Lang::Php => &[
            ("system", Shell),
            ("exec", Shell),
            ("shell_exec", Shell),
            ("passthru", Shell),
            ("popen", Shell),
            ("proc_open", Shell),
            ("unlink", Remove),
        ],
        Lang::Deno => &DENO_CALLS,
        Lang::Awk => &[("system", Shell)],
    }
}

/// The shell commands `code` would run, in order of appearance.
pub fn commands(lang: Lang, code: &str) -> Vec<String> {
    let code = &without_path_helpers(code);
    let literals = literals(lang, code);
    let mut found: Vec<(usize, String)> = Vec::new();
    for (name, effect) in calls(lang) {
        // `exec` is also a regular expression's method in JavaScript.
        if matches!(lang, Lang::Node | Lang::Deno)
            && matches!(*name, "exec" | "spawn")
            && !code.contains("child_process")
        {
            continue;
        }
        for (at, _) in code.match_indices(name) {
            if !is_call_name(code, at, name.len()) || inside(&literals, at) {
                continue;
            }
            if let Some(command) = call_command(lang, code, &literals, at + name.len(), *effect) {
                found.push((at, command));
            }
        }
    }
    if lang.backticks_run() {
        found.extend(literals.iter().filter(|l| l.quote == '`').map(|l| (l.start, l.text.clone())));
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, command)| command).collect()
}

/// The code with path helpers' names blanked, so that their literal
/// becomes the calling function's argument.
fn without_path_helpers(code: &str) -> String {
    let mut out = code.to_string();
    for helper in PATH_HELPERS {
        let mut from = 0;
        while let Some(found) = out[from..].find(helper) {
            let at = from + found;
            let next = out[at + helper.len()..].chars().next();
            if is_call_name(&out, at, helper.len()) && matches!(next, Some('(' | ' ' | '"' | '\'')) {
                out.replace_range(at..at + helper.len(), &" ".repeat(helper.len()));
            }
            from = at + helper.len();
        }
    }
    out
}

/// `name` at `at` is a whole name (not part of a longer identifier) at a call.
fn is_call_name(code: &str, at: usize, len: usize) -> bool {
    let before = code[..at].chars().next_back();
    let after = code[at + len..].chars().next();
    let joined = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    // A method of something (`x.exec`) is named by what precedes it; `fs.rmSync` and
    // `FileUtils.rm_rf` are matched by their own last part.
    !before.is_some_and(joined) && !after.is_some_and(joined)
}

/// The shell command one call amounts to, from its literal arguments.
fn call_command(lang: Lang, code: &str, literals: &[Literal], after: usize, effect: Effect) -> Option<String> {
    let rest = &code[after..];
    let trimmed = rest.trim_start();
    let open = after + (rest.len() - trimmed.len());
    if let Effect::Quoted = effect {
        let end = matches!(trimmed.chars().next()?, '(' | '{' | '[').then(|| closing(code, literals, open))??;
        return Some(code[open + 1..end].to_string());
    }
    // Calls take parentheses, or (Ruby, Perl, PHP) a bare argument list.
    let (args_start, args_end) = match trimmed.chars().next()? {
        '(' => (open + 1, closing(code, literals, open)?),
        '"' | '\'' if matches!(lang, Lang::Ruby | Lang::Perl | Lang::Php) => {
            (open, code[open..].find([';', '\n']).map_or(code.len(), |e| open + e))
        }
        _ => return None,
    };
    let args: Vec<&Literal> = literals.iter().filter(|l| l.start >= args_start && l.end <= args_end).collect();
    let inner = code.get(args_start..args_end)?;
    let first = args.first()?;
    // The first argument must itself be a literal (or a list of them).
    let lead = inner.trim_start();
    let list = lead.starts_with('[');
    // Before the first literal only brackets left by a path helper may stand.
    if !list && !code[args_start..first.start].trim_matches(|c: char| c == '(' || c.is_whitespace()).is_empty() {
        return None;
    }
    // `system('rm', '-rf', dir)` in Ruby and Perl is a program and its arguments.
    let listed =
        matches!(lang, Lang::Ruby | Lang::Perl) && args.len() > 1 && code[first.end..args[1].start].trim() == ",";
    match effect {
        Effect::Shell | Effect::Spawn if list => {
            Some(words(args.iter().copied().take_while(|l| l.end <= list_end(inner, args_start))))
        }
        Effect::Spawn => Some(words(args.iter().copied())),
        Effect::Shell if listed => Some(words(args.iter().copied())),
        Effect::Shell => Some(first.text.clone()),
        Effect::RemoveTree => Some(format!("rm -rf {}", quote(&first.text))),
        Effect::Remove => {
            let recursive = inner.contains("recursive");
            Some(format!("rm {} {}", if recursive { "-rf" } else { "-f" }, quote(&first.text)))
        }
        Effect::Quoted => None,
    }
}

/// Where a leading `[ … ]` list ends, as an absolute offset.
fn list_end(inner: &str, start: usize) -> usize {
    inner.find(']').map_or(start + inner.len(), |e| start + e)
}

/// The offset of the bracket closing the one at `open`, skipping literals.
fn closing(code: &str, literals: &[Literal], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    let bytes = code.as_bytes();
    while i < bytes.len() {
        if let Some(lit) = literals.iter().find(|l| l.start == i) {
            i = lit.end;
            continue;
        }
        match bytes[i] {
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn words<'a>(literals: impl Iterator<Item = &'a Literal>) -> String {
    literals.map(|l| quote(&l.text)).collect::<Vec<_>>().join(" ")
}

/// Single-quotes a word for the shell analyser.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A string literal in the code: its span (quotes included) and its text.
#[derive(Debug)]
struct Literal {
    start: usize,
    end: usize,
    quote: char,
    text: String,
}

fn inside(literals: &[Literal], at: usize) -> bool {
    literals.iter().any(|l| l.start < at && at < l.end)
}

/// The string literals of the code, skipping comments. An interpolated
/// literal (`f"…{x}"`, `"${x}"`) keeps its text with the hole marked by `$`.
fn literals(lang: Lang, code: &str) -> Vec<Literal> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let comment = (lang.hash_comments() && b == b'#' && !(lang == Lang::Ruby && bytes.get(i + 1) == Some(&b'{')))
            || (!lang.hash_comments() && b == b'/' && bytes.get(i + 1) == Some(&b'/'));
        if comment {
            i = code[i..].find('\n').map_or(bytes.len(), |e| i + e);
            continue;
        }
        // Perl's `q{…}` and `qq{…}` are strings in any brackets.
        if lang == Lang::Perl && b == b'q' && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let open_at = if bytes.get(i + 1) == Some(&b'q') { i + 2 } else { i + 1 };
            if let Some(close) = bytes.get(open_at).and_then(|o| closer(*o)) {
                let end = code[open_at + 1..].find(close as char).map_or(code.len(), |e| open_at + 1 + e);
                out.push(Literal {
                    start: i,
                    end: (end + 1).min(code.len()),
                    quote: '"',
                    text: code[open_at + 1..end].to_string(),
                });
                i = end + 1;
                continue;
            }
        }
        if matches!(b, b'\'' | b'"' | b'`') {
            let quote = b as char;
            let triple = lang == Lang::Python && code[i..].starts_with(&quote.to_string().repeat(3));
            let (text, end) = if triple { triple_literal(code, i, quote) } else { literal(code, i, quote) };
            let interpolated = lang == Lang::Python && i > 0 && matches!(bytes[i - 1], b'f' | b'F');
            let text = if interpolated { text.replace('{', "${") } else { text };
            out.push(Literal { start: i, end, quote, text });
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

fn closer(open: u8) -> Option<u8> {
    Some(match open {
        b'{' => b'}',
        b'(' => b')',
        b'[' => b']',
        b'<' => b'>',
        b'|' => b'|',
        _ => return None,
    })
}

fn literal(code: &str, start: usize, quote: char) -> (String, usize) {
    let mut text = String::new();
    let mut chars = code[start + 1..].char_indices();
    while let Some((offset, ch)) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some((_, 'n')) => text.push('\n'),
                Some((_, 't')) => text.push('\t'),
                Some((_, other)) => text.push(other),
                None => break,
            },
            c if c == quote => return (text, start + 1 + offset + 1),
            c => text.push(c),
        }
    }
    (text, code.len())
}

fn triple_literal(code: &str, start: usize, quote: char) -> (String, usize) {
    let delimiter = quote.to_string().repeat(3);
    let body = start + 3;
    match code[body..].find(&delimiter) {
        Some(end) => (code[body..body + end].to_string(), body + end + 3),
        None => (code[body..].to_string(), code.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_become_commands() {
        let py = "import shutil, os; shutil.rmtree('/srv/data'); os.system(\"rm -rf ~\")";
        assert_eq!(commands(Lang::Python, py), vec!["rm -rf '/srv/data'", "rm -rf ~"]);
        let py = "import subprocess; subprocess.run(['git', 'reset', '--hard'])";
        assert_eq!(commands(Lang::Python, py), vec!["'git' 'reset' '--hard'"]);
        let js = "require('child_process').execSync('rm -rf ~'); fs.rmSync('/opt/x', {recursive: true})";
        assert_eq!(commands(Lang::Node, js), vec!["rm -rf ~", "rm -rf '/opt/x'"]);
        assert_eq!(commands(Lang::Ruby, "FileUtils.rm_rf('/var/www'); `git clean -fdx`").len(), 2);
        assert_eq!(commands(Lang::Perl, "system 'rm -rf /home/x'; unlink('/etc/hosts')").len(), 2);
        assert_eq!(commands(Lang::Perl, "my $x = qx(git stash clear);"), vec!["git stash clear"]);
        assert_eq!(commands(Lang::Awk, "BEGIN { system(\"rm -rf /srv\") }"), vec!["rm -rf /srv"]);
    }

    #[test]
    fn data_and_comments_are_not_calls() {
        assert!(commands(Lang::Python, "print('os.system(\"rm -rf /\")')").is_empty());
        assert!(commands(Lang::Python, "# shutil.rmtree('/')\nprint(1)").is_empty());
        assert!(commands(Lang::Node, "console.log(/a/.exec('rm -rf /'))").is_empty());
        assert!(commands(Lang::Python, "shutil.rmtree(path)").is_empty());
        assert!(commands(Lang::Python, "import json; json.load(open('x'))").is_empty());
    }

    #[test]
    fn the_program_comes_from_flags_or_stdin() {
        let args = |s: &str| s.split_whitespace().map(Arg::known).collect::<Vec<_>>();
        assert_eq!(program(Lang::Python, &args("-c x"), None).as_deref(), Some("x"));
        assert_eq!(program(Lang::Python, &args("-"), Some("y")).as_deref(), Some("y"));
        assert_eq!(program(Lang::Python, &args("script.py"), Some("y")), None);
        assert_eq!(program(Lang::Perl, &args("-lne p"), None).as_deref(), Some("p"));
        assert_eq!(program(Lang::Deno, &args("eval z"), None).as_deref(), Some("z"));
        assert_eq!(program(Lang::Awk, &args("-F : {print}"), None).as_deref(), Some("{print}"));
    }
}
