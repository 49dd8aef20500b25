//! Shell source text to an AST with line numbers. Words are split into parts here
//! (quotes, expansions) so the executor never re-scans raw text, except for the body of
//! a command substitution, which is parsed when it runs.

use std::sync::{Arc, OnceLock};

pub type Word = Vec<WordPart>;

#[derive(Clone, Debug, PartialEq)]
pub enum WordPart {
    /// Unquoted text: subject to pathname expansion.
    Literal(String),
    /// Single-quoted or backslash-escaped text.
    Quoted(String),
    DoubleQuoted(Vec<WordPart>),
    Param(Box<ParamExp>),
    CommandSub(String),
    Arith(Word),
    /// `~` or `~user` at the start of a word.
    Tilde(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParamExp {
    pub name: String,
    pub op: ParamOp,
    pub colon: bool,
    pub word: Word,
    /// Bash's `${!name}`: the value names the variable to expand.
    pub indirect: bool,
    /// Bash's `${name[SUB]}`: the subscript as written (`0`, `@`).
    pub subscript: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamOp {
    Plain,
    Length,
    Default,
    Assign,
    Error,
    Alternative,
    RemoveSmallestPrefix,
    RemoveLargestPrefix,
    RemoveSmallestSuffix,
    RemoveLargestSuffix,
    /// Bash's `${name:offset[:length]}`; `word` holds `offset[:length]`.
    Substring,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RedirOp {
    Out,
    Append,
    In,
    DupOut,
    DupIn,
    OutErr,
    HereDoc,
}

#[derive(Clone, Debug)]
pub struct HereDoc {
    pub body: Word,
}

#[derive(Clone, Debug)]
pub struct Redirect {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Word,
    /// Filled when the line holding the `<<` operator ends.
    pub heredoc: Option<Arc<OnceLock<HereDoc>>>,
}

#[derive(Clone, Debug)]
pub struct Simple {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub line: usize,
}

#[derive(Clone, Debug)]
pub enum Compound {
    Brace(List),
    Subshell(List),
    If {
        branches: Vec<(List, List)>,
        otherwise: Option<List>,
    },
    For {
        var: String,
        words: Option<Vec<Word>>,
        body: List,
    },
    While {
        cond: List,
        body: List,
        until: bool,
    },
    Case {
        word: Word,
        arms: Vec<(Vec<Word>, List)>,
    },
}

#[derive(Clone, Debug)]
pub enum Command {
    Simple(Simple),
    Compound(Compound, Vec<Redirect>),
    FunctionDef(String, Arc<Command>),
}

#[derive(Clone, Debug)]
pub struct Pipeline {
    pub negated: bool,
    pub commands: Vec<Command>,
    pub line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AndOrOp {
    And,
    Or,
}

#[derive(Clone, Debug)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(AndOrOp, Pipeline)>,
    /// Ran with `&`. The lab has no job control, so this only affects nothing but `$!`.
    pub background: bool,
}

#[derive(Clone, Debug, Default)]
pub struct List(pub Vec<AndOr>);

#[derive(Clone, Debug, PartialEq)]
pub enum ParseErrorKind {
    /// A token that cannot appear here.
    Unexpected(String),
    /// Input ended inside a construct; the REPL should read another line.
    UnexpectedEof(Option<String>),
    UnterminatedQuote,
    /// The input ends inside a here-document, a `\` continuation or after an operator.
    Incomplete,
    TooDeep,
    BadSubstitution,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub line: usize,
}

impl ParseError {
    pub fn needs_more_input(&self) -> bool {
        matches!(
            self.kind,
            ParseErrorKind::UnexpectedEof(_)
                | ParseErrorKind::UnterminatedQuote
                | ParseErrorKind::Incomplete
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String, Word),
    IoNumber(u32),
    Op(&'static str),
    Newline,
    Eof,
}

const OPERATORS: &[&str] = &[
    "&&", "||", ";;", "<<-", "<<", ">>", "&>", ">&", "<&", ">|", "|", "&", ";", "<", ">", "(", ")",
];

const MAX_DEPTH: usize = 200;

struct PendingHereDoc {
    delimiter: String,
    strip_tabs: bool,
    quoted: bool,
    slot: Arc<OnceLock<HereDoc>>,
}

pub struct Parser {
    chars: Vec<char>,
    /// Bash's syntax (`${!x}`, `${x:1:2}`, `${x[0]}`); the others call it a bad
    /// substitution.
    bash: bool,
    pos: usize,
    line: usize,
    pending: Vec<PendingHereDoc>,
    depth: usize,
    /// Here-documents missing their terminator at end of input; `run` accepts that,
    /// the REPL asks for more.
    eof_in_heredoc: bool,
}

pub fn parse(source: &str) -> Result<List, ParseError> {
    parse_as(source, false)
}

/// Parses `source` as bash does when `bash`, else as a POSIX shell does.
pub fn parse_as(source: &str, bash: bool) -> Result<List, ParseError> {
    let mut p = Parser::new(source);
    p.bash = bash;
    let list = p.program()?;
    Ok(list)
}

/// True when the REPL should read another line before running `source`.
pub fn needs_more_input(source: &str) -> bool {
    // A line ending in an unescaped `\` continues on the next, though the text so far
    // parses: the parser drops a backslash-newline pair as a plain line joint.
    let line = source.strip_suffix('\n').unwrap_or(source);
    let trailing = line.len() - line.trim_end_matches('\\').len();
    if trailing % 2 == 1 {
        return true;
    }
    let mut p = Parser::new(source);
    match p.program() {
        Ok(_) => p.eof_in_heredoc,
        Err(e) => e.needs_more_input(),
    }
}

fn is_reserved(w: &str) -> bool {
    matches!(
        w,
        "if" | "then"
            | "else"
            | "elif"
            | "fi"
            | "do"
            | "done"
            | "case"
            | "esac"
            | "while"
            | "until"
            | "for"
            | "in"
            | "{"
            | "}"
            | "!"
    )
}

pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

impl Parser {
    fn new(source: &str) -> Self {
        Parser {
            chars: source.chars().collect(),
            bash: false,
            pos: 0,
            line: 1,
            pending: Vec::new(),
            depth: 0,
            eof_in_heredoc: false,
        }
    }

    fn err<T>(&self, kind: ParseErrorKind) -> Result<T, ParseError> {
        Err(ParseError {
            kind,
            line: self.line,
        })
    }

    fn peek_char(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.chars.get(self.pos + i).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if let Some(c) = c {
            self.pos += 1;
            if c == '\n' {
                self.line += 1;
            }
        }
        c
    }

    fn skip_blanks(&mut self) {
        loop {
            match self.peek_char() {
                Some(' ') | Some('\t') => {
                    self.pos += 1;
                }
                Some('\\') if self.char_at(1) == Some('\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                Some('#') => {
                    while let Some(c) = self.peek_char() {
                        if c == '\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn next_token(&mut self) -> Result<Token, ParseError> {
        self.skip_blanks();
        let Some(c) = self.peek_char() else {
            return Ok(Token::Eof);
        };
        if c == '\n' {
            return Ok(Token::Newline);
        }
        for op in OPERATORS {
            if op
                .chars()
                .enumerate()
                .all(|(i, oc)| self.char_at(i) == Some(oc))
            {
                self.pos += op.len();
                return Ok(Token::Op(op));
            }
        }
        if c == '\\' && self.char_at(1).is_none() {
            return self.err(ParseErrorKind::Incomplete);
        }
        let start = self.pos;
        let parts = self.word_parts(WordMode::Unquoted)?;
        let raw: String = self.chars[start..self.pos].iter().collect();
        if !raw.is_empty()
            && raw.chars().all(|c| c.is_ascii_digit())
            && matches!(self.peek_char(), Some('<') | Some('>'))
            && let Ok(n) = raw.parse()
        {
            return Ok(Token::IoNumber(n));
        }
        Ok(Token::Word(raw, parts))
    }

    fn peek_token(&mut self) -> Result<Token, ParseError> {
        let (pos, line) = (self.pos, self.line);
        let t = self.next_token();
        self.pos = pos;
        self.line = line;
        t
    }

    /// Consumes a newline token and reads any here-document bodies that it releases.
    fn take_newline(&mut self) -> Result<(), ParseError> {
        self.bump();
        let pending = std::mem::take(&mut self.pending);
        for doc in pending {
            self.read_heredoc(doc)?;
        }
        Ok(())
    }

    fn read_heredoc(&mut self, doc: PendingHereDoc) -> Result<(), ParseError> {
        let mut body = String::new();
        loop {
            if self.pos >= self.chars.len() {
                self.eof_in_heredoc = true;
                break;
            }
            let mut line = String::new();
            while let Some(c) = self.bump() {
                if c == '\n' {
                    break;
                }
                line.push(c);
            }
            let check = if doc.strip_tabs {
                line.trim_start_matches('\t').to_string()
            } else {
                line.clone()
            };
            if check == doc.delimiter {
                break;
            }
            body.push_str(&check);
            body.push('\n');
        }
        let parts = if doc.quoted {
            vec![WordPart::Quoted(body)]
        } else {
            let mut sub = Parser::new(&body);
            sub.bash = self.bash;
            sub.depth = self.depth;
            let parts = sub.word_parts(WordMode::HereDoc)?;
            vec![WordPart::DoubleQuoted(parts)]
        };
        let _ = doc.slot.set(HereDoc { body: parts });
        Ok(())
    }

    fn linebreak(&mut self) -> Result<(), ParseError> {
        loop {
            self.skip_blanks();
            if self.peek_char() == Some('\n') {
                self.take_newline()?;
            } else {
                return Ok(());
            }
        }
    }

    fn program(&mut self) -> Result<List, ParseError> {
        let list = self.list(&[])?;
        match self.peek_token()? {
            Token::Eof => Ok(list),
            Token::Word(w, _) => self.err(ParseErrorKind::Unexpected(w)),
            Token::Op(o) => self.err(ParseErrorKind::Unexpected(o.to_string())),
            Token::IoNumber(n) => self.err(ParseErrorKind::Unexpected(n.to_string())),
            Token::Newline => self.err(ParseErrorKind::Unexpected("newline".into())),
        }
    }

    fn at_terminator(&mut self, terms: &[&str]) -> Result<bool, ParseError> {
        Ok(match self.peek_token()? {
            Token::Eof => true,
            Token::Op(")") | Token::Op(";;") => true,
            Token::Word(w, _) => terms.contains(&w.as_str()),
            _ => false,
        })
    }

    /// A sequence of and-or lists up to one of `terms` (reserved words), `)`, `;;` or EOF.
    fn list(&mut self, terms: &[&str]) -> Result<List, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(ParseErrorKind::TooDeep);
        }
        let mut items = Vec::new();
        loop {
            self.linebreak()?;
            if self.at_terminator(terms)? {
                break;
            }
            let mut item = self.and_or()?;
            self.skip_blanks();
            match self.peek_token()? {
                Token::Op(";") => {
                    self.next_token()?;
                }
                Token::Op("&") => {
                    self.next_token()?;
                    item.background = true;
                }
                Token::Newline => {
                    self.take_newline()?;
                }
                _ => {
                    items.push(item);
                    if self.at_terminator(terms)? {
                        break;
                    }
                    let t = self.next_token()?;
                    return self.unexpected(t);
                }
            }
            items.push(item);
        }
        self.depth -= 1;
        Ok(List(items))
    }

    fn unexpected<T>(&self, t: Token) -> Result<T, ParseError> {
        match t {
            Token::Eof => self.err(ParseErrorKind::UnexpectedEof(None)),
            Token::Word(w, _) => self.err(ParseErrorKind::Unexpected(w)),
            Token::Op(o) => self.err(ParseErrorKind::Unexpected(o.to_string())),
            Token::IoNumber(n) => self.err(ParseErrorKind::Unexpected(n.to_string())),
            Token::Newline => self.err(ParseErrorKind::Unexpected("newline".into())),
        }
    }

    fn and_or(&mut self) -> Result<AndOr, ParseError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek_token()? {
                Token::Op("&&") => AndOrOp::And,
                Token::Op("||") => AndOrOp::Or,
                _ => break,
            };
            self.next_token()?;
            self.linebreak()?;
            if self.peek_token()? == Token::Eof {
                return self.err(ParseErrorKind::Incomplete);
            }
            rest.push((op, self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let mut negated = false;
        if let Token::Word(w, _) = self.peek_token()?
            && w == "!"
        {
            self.next_token()?;
            negated = true;
        }
        let line = self.line;
        let mut commands = vec![self.command()?];
        while self.peek_token()? == Token::Op("|") {
            self.next_token()?;
            self.linebreak()?;
            if self.peek_token()? == Token::Eof {
                return self.err(ParseErrorKind::Incomplete);
            }
            commands.push(self.command()?);
        }
        Ok(Pipeline {
            negated,
            commands,
            line,
        })
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ParseError> {
        self.linebreak()?;
        match self.next_token()? {
            Token::Word(w, _) if w == word => Ok(()),
            Token::Eof => self.err(ParseErrorKind::UnexpectedEof(Some(word.to_string()))),
            t => self.unexpected(t),
        }
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(ParseErrorKind::TooDeep);
        }
        let cmd = self.command_inner();
        self.depth -= 1;
        cmd
    }

    fn command_inner(&mut self) -> Result<Command, ParseError> {
        let tok = self.peek_token()?;
        match &tok {
            Token::Word(w, _) if is_reserved(w) => {
                let w = w.clone();
                if let Some(c) = self.compound(&w)? {
                    let redirects = self.redirects_after()?;
                    return Ok(Command::Compound(c, redirects));
                }
                self.next_token()?;
                return self.err(ParseErrorKind::Unexpected(w));
            }
            Token::Op("(") => {
                self.next_token()?;
                let body = self.list(&[])?;
                match self.next_token()? {
                    Token::Op(")") => {}
                    Token::Eof => {
                        return self.err(ParseErrorKind::UnexpectedEof(Some(")".into())));
                    }
                    t => return self.unexpected(t),
                }
                let redirects = self.redirects_after()?;
                return Ok(Command::Compound(Compound::Subshell(body), redirects));
            }
            Token::Word(w, parts) if is_name(w) && parts.len() == 1 => {
                // A function definition is NAME ( ) followed by a compound command.
                let (pos, line) = (self.pos, self.line);
                self.next_token()?;
                if self.peek_token()? == Token::Op("(") {
                    self.next_token()?;
                    if self.next_token()? == Token::Op(")") {
                        self.linebreak()?;
                        let body = self.command()?;
                        if !matches!(body, Command::Compound(..)) {
                            return self.err(ParseErrorKind::Unexpected("newline".into()));
                        }
                        return Ok(Command::FunctionDef(w.clone(), Arc::new(body)));
                    }
                    return self.err(ParseErrorKind::Unexpected("(".into()));
                }
                self.pos = pos;
                self.line = line;
            }
            _ => {}
        }
        self.simple()
    }

    fn redirects_after(&mut self) -> Result<Vec<Redirect>, ParseError> {
        let mut out = Vec::new();
        while let Some(r) = self.try_redirect()? {
            out.push(r);
        }
        Ok(out)
    }

    fn try_redirect(&mut self) -> Result<Option<Redirect>, ParseError> {
        let (pos, line) = (self.pos, self.line);
        let mut tok = self.next_token()?;
        let mut fd = None;
        if let Token::IoNumber(n) = tok {
            fd = Some(n);
            tok = self.next_token()?;
        }
        let op = match tok {
            Token::Op(">") | Token::Op(">|") => RedirOp::Out,
            Token::Op(">>") => RedirOp::Append,
            Token::Op("<") => RedirOp::In,
            Token::Op(">&") => RedirOp::DupOut,
            Token::Op("<&") => RedirOp::DupIn,
            Token::Op("&>") => RedirOp::OutErr,
            Token::Op("<<") | Token::Op("<<-") => RedirOp::HereDoc,
            _ => {
                self.pos = pos;
                self.line = line;
                return Ok(None);
            }
        };
        let strip = tok == Token::Op("<<-");
        match self.next_token()? {
            Token::Word(raw, target) => {
                let mut heredoc = None;
                if op == RedirOp::HereDoc {
                    let quoted = raw.contains(['\'', '"', '\\']);
                    let delimiter = unquote_text(&target);
                    let slot = Arc::new(OnceLock::new());
                    self.pending.push(PendingHereDoc {
                        delimiter,
                        strip_tabs: strip,
                        quoted,
                        slot: slot.clone(),
                    });
                    heredoc = Some(slot);
                }
                Ok(Some(Redirect {
                    fd,
                    op,
                    target,
                    heredoc,
                }))
            }
            Token::Eof => self.err(ParseErrorKind::Unexpected("end of file".into())),
            t => self.unexpected(t),
        }
    }

    fn simple(&mut self) -> Result<Command, ParseError> {
        let line = self.line;
        let mut s = Simple {
            assigns: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
            line,
        };
        loop {
            if let Some(r) = self.try_redirect()? {
                s.redirects.push(r);
                continue;
            }
            match self.peek_token()? {
                Token::Word(raw, parts) => {
                    self.next_token()?;
                    if s.words.is_empty()
                        && let Some((name, value)) = split_assignment(&raw, &parts)
                    {
                        s.assigns.push((name, value));
                        continue;
                    }
                    s.words.push(parts);
                }
                _ => break,
            }
        }
        if s.words.is_empty() && s.assigns.is_empty() && s.redirects.is_empty() {
            let t = self.next_token()?;
            return self.unexpected(t);
        }
        Ok(Command::Simple(s))
    }

    fn compound(&mut self, w: &str) -> Result<Option<Compound>, ParseError> {
        Ok(Some(match w {
            "{" => {
                self.next_token()?;
                let body = self.list(&["}"])?;
                self.expect_word("}")?;
                Compound::Brace(body)
            }
            "if" => {
                self.next_token()?;
                let mut branches = Vec::new();
                let mut otherwise = None;
                loop {
                    let cond = self.list(&["then"])?;
                    self.expect_word("then")?;
                    let body = self.list(&["elif", "else", "fi"])?;
                    branches.push((cond, body));
                    match self.next_token()? {
                        Token::Word(w, _) if w == "elif" => continue,
                        Token::Word(w, _) if w == "else" => {
                            otherwise = Some(self.list(&["fi"])?);
                            self.expect_word("fi")?;
                            break;
                        }
                        Token::Word(w, _) if w == "fi" => break,
                        Token::Eof => {
                            return self.err(ParseErrorKind::UnexpectedEof(Some("fi".into())));
                        }
                        t => return self.unexpected(t),
                    }
                }
                Compound::If {
                    branches,
                    otherwise,
                }
            }
            "while" | "until" => {
                self.next_token()?;
                let cond = self.list(&["do"])?;
                self.expect_word("do")?;
                let body = self.list(&["done"])?;
                self.expect_word("done")?;
                Compound::While {
                    cond,
                    body,
                    until: w == "until",
                }
            }
            "for" => {
                self.next_token()?;
                let var = match self.next_token()? {
                    Token::Word(v, _) if is_name(&v) => v,
                    Token::Eof => return self.err(ParseErrorKind::UnexpectedEof(None)),
                    t => return self.unexpected(t),
                };
                let mut words = None;
                self.linebreak()?;
                if let Token::Word(w, _) = self.peek_token()?
                    && w == "in"
                {
                    self.next_token()?;
                    let mut list = Vec::new();
                    while let Token::Word(_, parts) = self.peek_token()? {
                        self.next_token()?;
                        list.push(parts);
                    }
                    words = Some(list);
                }
                if self.peek_token()? == Token::Op(";") {
                    self.next_token()?;
                }
                self.expect_word("do")?;
                let body = self.list(&["done"])?;
                self.expect_word("done")?;
                Compound::For { var, words, body }
            }
            "case" => {
                self.next_token()?;
                let word = match self.next_token()? {
                    Token::Word(_, parts) => parts,
                    Token::Eof => return self.err(ParseErrorKind::UnexpectedEof(None)),
                    t => return self.unexpected(t),
                };
                self.expect_word("in")?;
                let mut arms = Vec::new();
                loop {
                    self.linebreak()?;
                    match self.peek_token()? {
                        Token::Word(w, _) if w == "esac" => {
                            self.next_token()?;
                            break;
                        }
                        Token::Eof => {
                            return self.err(ParseErrorKind::UnexpectedEof(Some("esac".into())));
                        }
                        _ => {}
                    }
                    if self.peek_token()? == Token::Op("(") {
                        self.next_token()?;
                    }
                    let mut patterns = Vec::new();
                    loop {
                        match self.next_token()? {
                            Token::Word(_, parts) => patterns.push(parts),
                            Token::Eof => return self.err(ParseErrorKind::UnexpectedEof(None)),
                            t => return self.unexpected(t),
                        }
                        match self.next_token()? {
                            Token::Op("|") => continue,
                            Token::Op(")") => break,
                            Token::Eof => return self.err(ParseErrorKind::UnexpectedEof(None)),
                            t => return self.unexpected(t),
                        }
                    }
                    let body = self.list(&["esac"])?;
                    arms.push((patterns, body));
                    match self.peek_token()? {
                        Token::Op(";;") => {
                            self.next_token()?;
                        }
                        Token::Word(w, _) if w == "esac" => {}
                        Token::Eof => {
                            return self.err(ParseErrorKind::UnexpectedEof(Some("esac".into())));
                        }
                        t => return self.unexpected(t),
                    }
                }
                Compound::Case { word, arms }
            }
            _ => return Ok(None),
        }))
    }

    /// Reads one word's parts, stopping at an unquoted metacharacter (or the end of a
    /// `${...}` word, or end of input for here-documents).
    fn word_parts(&mut self, mode: WordMode) -> Result<Word, ParseError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let start = self.pos;
        fn flush(parts: &mut Word, lit: &mut String, quoted: bool) {
            if !lit.is_empty() {
                let s = std::mem::take(lit);
                parts.push(if quoted {
                    WordPart::Quoted(s)
                } else {
                    WordPart::Literal(s)
                });
            }
        }
        let lit_quoted = matches!(mode, WordMode::DoubleQuoted | WordMode::HereDoc);
        while let Some(c) = self.peek_char() {
            match mode {
                WordMode::Unquoted => {
                    if matches!(
                        c,
                        ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')'
                    ) {
                        break;
                    }
                }
                WordMode::DoubleQuoted => {
                    if c == '"' {
                        break;
                    }
                }
                WordMode::ParamWord => {
                    if c == '}' {
                        break;
                    }
                }
                WordMode::HereDoc => {}
            }
            match c {
                '~' if mode == WordMode::Unquoted && self.pos == start => {
                    self.bump();
                    let mut user = String::new();
                    while let Some(c) = self.peek_char() {
                        if c == '/' || !(c.is_alphanumeric() || c == '_' || c == '-') {
                            break;
                        }
                        user.push(c);
                        self.bump();
                    }
                    parts.push(WordPart::Tilde(user));
                }
                '\'' if matches!(mode, WordMode::Unquoted | WordMode::ParamWord) => {
                    flush(&mut parts, &mut lit, lit_quoted);
                    self.bump();
                    let mut s = String::new();
                    loop {
                        match self.bump() {
                            Some('\'') => break,
                            Some(c) => s.push(c),
                            None => return self.err(ParseErrorKind::UnterminatedQuote),
                        }
                    }
                    parts.push(WordPart::Quoted(s));
                }
                '"' if matches!(mode, WordMode::Unquoted | WordMode::ParamWord) => {
                    flush(&mut parts, &mut lit, lit_quoted);
                    self.bump();
                    let inner = self.word_parts(WordMode::DoubleQuoted)?;
                    if self.bump() != Some('"') {
                        return self.err(ParseErrorKind::UnterminatedQuote);
                    }
                    parts.push(WordPart::DoubleQuoted(inner));
                }
                '\\' => {
                    self.bump();
                    match self.bump() {
                        None => {
                            if mode == WordMode::HereDoc {
                                lit.push('\\');
                            } else {
                                return self.err(ParseErrorKind::Incomplete);
                            }
                        }
                        Some('\n') => {}
                        Some(n) => {
                            if lit_quoted && !matches!(n, '$' | '`' | '"' | '\\') {
                                lit.push('\\');
                                lit.push(n);
                            } else if lit_quoted || mode == WordMode::ParamWord {
                                lit.push(n);
                            } else {
                                flush(&mut parts, &mut lit, false);
                                parts.push(WordPart::Quoted(n.to_string()));
                            }
                        }
                    }
                }
                '$' => {
                    flush(&mut parts, &mut lit, lit_quoted);
                    self.bump();
                    match self.dollar()? {
                        Some(p) => parts.push(p),
                        None => lit.push('$'),
                    }
                }
                '`' => {
                    flush(&mut parts, &mut lit, lit_quoted);
                    self.bump();
                    let mut s = String::new();
                    loop {
                        match self.bump() {
                            Some('`') => break,
                            Some('\\') => match self.bump() {
                                Some(c @ ('$' | '`' | '\\')) => s.push(c),
                                Some(c) => {
                                    s.push('\\');
                                    s.push(c);
                                }
                                None => return self.err(ParseErrorKind::UnterminatedQuote),
                            },
                            Some(c) => s.push(c),
                            None => return self.err(ParseErrorKind::UnterminatedQuote),
                        }
                    }
                    parts.push(WordPart::CommandSub(s));
                }
                _ => {
                    self.bump();
                    lit.push(c);
                }
            }
        }
        flush(&mut parts, &mut lit, lit_quoted);
        Ok(parts)
    }

    /// After a `$`: a parameter, `${...}`, `$(...)` or `$((...))`. None for a lone `$`.
    fn dollar(&mut self) -> Result<Option<WordPart>, ParseError> {
        let Some(c) = self.peek_char() else {
            return Ok(None);
        };
        if c == '(' {
            if self.char_at(1) == Some('(')
                && let Some(end) = self.find_arith_end()
            {
                self.bump();
                self.bump();
                let text: String = self.chars[self.pos..end].iter().collect();
                let mut sub = Parser::new(&text);
                sub.bash = self.bash;
                sub.depth = self.depth + 1;
                if sub.depth > MAX_DEPTH {
                    return self.err(ParseErrorKind::TooDeep);
                }
                let parts = sub.word_parts(WordMode::HereDoc)?;
                while self.pos < end + 2 {
                    self.bump();
                }
                return Ok(Some(WordPart::Arith(parts)));
            }
            self.bump();
            let text = self.balanced_parens()?;
            return Ok(Some(WordPart::CommandSub(text)));
        }
        if c == '{' {
            self.bump();
            return self.braced_param().map(Some);
        }
        if c.is_ascii_digit() || matches!(c, '?' | '$' | '#' | '@' | '*' | '!' | '-') {
            self.bump();
            return Ok(Some(plain_param(c.to_string())));
        }
        if c == '_' || c.is_ascii_alphabetic() {
            let mut name = String::new();
            while let Some(c) = self.peek_char() {
                if c == '_' || c.is_ascii_alphanumeric() {
                    name.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            return Ok(Some(plain_param(name)));
        }
        Ok(None)
    }

    /// The index of the `))` closing a `$((` at the cursor, if the parens balance that way.
    fn find_arith_end(&self) -> Option<usize> {
        let mut depth = 0i32;
        let mut i = self.pos + 2;
        while i < self.chars.len() {
            match self.chars[i] {
                '(' => depth += 1,
                ')' => {
                    if depth == 0 {
                        return (self.chars.get(i + 1) == Some(&')')).then_some(i);
                    }
                    depth -= 1;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Reads up to the `)` matching an already consumed `(`, skipping quoted text.
    fn balanced_parens(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let mut depth = 0;
        loop {
            let Some(c) = self.bump() else {
                return self.err(ParseErrorKind::UnexpectedEof(Some(")".into())));
            };
            match c {
                '\\' => {
                    self.bump();
                }
                '\'' => loop {
                    match self.bump() {
                        Some('\'') => break,
                        Some(_) => {}
                        None => return self.err(ParseErrorKind::UnterminatedQuote),
                    }
                },
                '"' => loop {
                    match self.bump() {
                        Some('"') => break,
                        Some('\\') => {
                            self.bump();
                        }
                        Some(_) => {}
                        None => return self.err(ParseErrorKind::UnterminatedQuote),
                    }
                },
                '(' => depth += 1,
                ')' => {
                    if depth == 0 {
                        return Ok(self.chars[start..self.pos - 1].iter().collect());
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
    }

    fn braced_param(&mut self) -> Result<WordPart, ParseError> {
        let mut length = false;
        if self.peek_char() == Some('#') && !matches!(self.char_at(1), Some('}') | None) {
            self.bump();
            length = true;
        }
        let mut indirect = false;
        if self.bash
            && !length
            && self.peek_char() == Some('!')
            && self
                .char_at(1)
                .is_some_and(|c| c == '_' || c.is_ascii_alphanumeric())
        {
            self.bump();
            indirect = true;
        }
        let mut name = String::new();
        match self.peek_char() {
            Some(c) if c.is_ascii_digit() && !length => {
                while let Some(c) = self.peek_char().filter(char::is_ascii_digit) {
                    name.push(c);
                    self.bump();
                }
            }
            Some(c)
                if matches!(c, '?' | '$' | '#' | '@' | '*' | '!' | '-') || c.is_ascii_digit() =>
            {
                name.push(c);
                self.bump();
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                while let Some(c) = self
                    .peek_char()
                    .filter(|c| *c == '_' || c.is_ascii_alphanumeric())
                {
                    name.push(c);
                    self.bump();
                }
            }
            None => return self.err(ParseErrorKind::UnexpectedEof(Some("}".into()))),
            _ => return self.bad_substitution(),
        }
        let mut subscript = None;
        if self.bash && self.peek_char() == Some('[') && is_name(&name) {
            self.bump();
            let mut sub = String::new();
            loop {
                match self.bump() {
                    Some(']') => break,
                    Some('}') | None => return self.bad_substitution(),
                    Some(c) => sub.push(c),
                }
            }
            subscript = Some(sub);
        }
        if length {
            return if self.bump() == Some('}') {
                Ok(WordPart::Param(Box::new(ParamExp {
                    name,
                    op: ParamOp::Length,
                    colon: false,
                    word: Vec::new(),
                    indirect: false,
                    subscript,
                })))
            } else {
                self.bad_substitution()
            };
        }
        let mut colon = false;
        if self.peek_char() == Some(':') {
            self.bump();
            colon = true;
        }
        if self.bash && colon && !matches!(self.peek_char(), Some('-' | '=' | '?' | '+')) {
            let word = self.word_parts(WordMode::ParamWord)?;
            if self.bump() != Some('}') {
                return self.err(ParseErrorKind::UnexpectedEof(Some("}".into())));
            }
            return Ok(WordPart::Param(Box::new(ParamExp {
                name,
                op: ParamOp::Substring,
                colon: false,
                word,
                indirect,
                subscript,
            })));
        }
        let op = match self.bump() {
            Some('}') if !colon => {
                return Ok(WordPart::Param(Box::new(ParamExp {
                    name,
                    op: ParamOp::Plain,
                    colon: false,
                    word: Vec::new(),
                    indirect,
                    subscript,
                })));
            }
            Some('-') => ParamOp::Default,
            Some('=') => ParamOp::Assign,
            Some('?') => ParamOp::Error,
            Some('+') => ParamOp::Alternative,
            Some('#') if !colon => {
                if self.peek_char() == Some('#') {
                    self.bump();
                    ParamOp::RemoveLargestPrefix
                } else {
                    ParamOp::RemoveSmallestPrefix
                }
            }
            Some('%') if !colon => {
                if self.peek_char() == Some('%') {
                    self.bump();
                    ParamOp::RemoveLargestSuffix
                } else {
                    ParamOp::RemoveSmallestSuffix
                }
            }
            None => return self.err(ParseErrorKind::UnexpectedEof(Some("}".into()))),
            _ => return self.bad_substitution(),
        };
        let word = self.word_parts(WordMode::ParamWord)?;
        if self.bump() != Some('}') {
            return self.err(ParseErrorKind::UnexpectedEof(Some("}".into())));
        }
        Ok(WordPart::Param(Box::new(ParamExp {
            name,
            op,
            colon,
            word,
            indirect,
            subscript,
        })))
    }

    fn bad_substitution<T>(&mut self) -> Result<T, ParseError> {
        // Skip to the closing brace so the error does not cascade.
        while let Some(c) = self.bump() {
            if c == '}' {
                break;
            }
        }
        self.err(ParseErrorKind::BadSubstitution)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WordMode {
    Unquoted,
    DoubleQuoted,
    ParamWord,
    HereDoc,
}

fn plain_param(name: String) -> WordPart {
    WordPart::Param(Box::new(ParamExp {
        name,
        op: ParamOp::Plain,
        colon: false,
        word: Vec::new(),
        indirect: false,
        subscript: None,
    }))
}

/// `NAME=value` at the start of a simple command.
fn split_assignment(raw: &str, parts: &Word) -> Option<(String, Word)> {
    let eq = raw.find('=')?;
    let name = &raw[..eq];
    if !is_name(name) {
        return None;
    }
    let WordPart::Literal(first) = parts.first()? else {
        return None;
    };
    if !first.starts_with(&format!("{name}=")) {
        return None;
    }
    let mut value = Vec::new();
    let rest = &first[eq + 1..];
    if !rest.is_empty() {
        value.push(WordPart::Literal(rest.to_string()));
    }
    value.extend(parts[1..].iter().cloned());
    Some((name.to_string(), value))
}

/// The text of a word with quotes removed and no expansion (here-document delimiters).
pub fn unquote_text(word: &Word) -> String {
    let mut s = String::new();
    for p in word {
        match p {
            WordPart::Literal(t) | WordPart::Quoted(t) => s.push_str(t),
            WordPart::DoubleQuoted(inner) => s.push_str(&unquote_text(inner)),
            WordPart::Tilde(u) => {
                s.push('~');
                s.push_str(u);
            }
            WordPart::Param(p) => {
                s.push('$');
                s.push_str(&p.name);
            }
            WordPart::CommandSub(c) => {
                s.push_str("$(");
                s.push_str(c);
                s.push(')');
            }
            WordPart::Arith(_) => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_compound_commands() {
        let l = parse("if true; then echo a; elif false; then :; else echo b; fi").unwrap();
        assert_eq!(l.0.len(), 1);
        parse("for i in 1 2 3; do echo $i; done").unwrap();
        parse("while false\ndo\n:\ndone").unwrap();
        parse("case x in a|b) echo ab;; (*) echo other;; esac").unwrap();
        parse("f() { echo hi; }; f").unwrap();
        parse("(cd /; ls) | wc -l && echo ok || echo no &").unwrap();
    }

    #[test]
    fn reports_unexpected_tokens() {
        let e = parse("fi").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Unexpected("fi".into()));
        let e = parse("if true; then echo").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::UnexpectedEof(Some("fi".into())));
    }

    #[test]
    fn detects_incomplete_input() {
        for s in [
            "echo 'abc",
            "echo \"abc",
            "echo a \\",
            "ls |",
            "true &&",
            "false ||",
            "if true; then",
            "for i in 1; do",
            "while true; do",
            "case x in",
            "{ echo",
            "( echo",
            "cat <<EOF\nhello",
            "echo $(ls",
        ] {
            assert!(needs_more_input(s), "{s}");
        }
        for s in ["echo hi", "cat <<EOF\nhi\nEOF", "fi", "echo 'a'\\''b'", ""] {
            assert!(!needs_more_input(s), "{s}");
        }
    }

    #[test]
    fn splits_words_and_heredocs() {
        let l = parse("X=1 cat <<-'E' >out\n\tbody $X\n\tE\n").unwrap();
        let Command::Simple(s) = &l.0[0].first.commands[0] else {
            panic!()
        };
        assert_eq!(s.assigns[0].0, "X");
        let doc = s.redirects[0].heredoc.as_ref().unwrap().get().unwrap();
        assert_eq!(doc.body, vec![WordPart::Quoted("body $X\n".into())]);
        assert_eq!(s.redirects[1].op, RedirOp::Out);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "(".repeat(10_000);
        assert!(parse(&src).is_err());
        let src = "$((".repeat(5000);
        let _ = parse(&format!("echo {src}"));
    }
}
