//! A small Rust lexer: the tokens that make up paths (identifiers, `::`, braces, commas),
//! with their line, and nothing from comments, strings or character literals, so a path
//! written in a doc comment or a message is not taken for a use.

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword (`crate`, `super`, `mod`, …); raw identifiers without `r#`.
    Ident(String),
    /// `::`.
    Sep,
    /// `{`.
    Open,
    /// `}`.
    Close,
    /// `,`.
    Comma,
    /// Any other character outside comments and literals.
    Other(char),
}

/// A token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Its line.
    pub line: usize,
}

/// The tokens of `src`.
pub fn tokens(src: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        s: src.chars().collect(),
        i: 0,
        line: 1,
        out: Vec::new(),
    };
    lexer.run();
    lexer.out
}

struct Lexer {
    s: Vec<char>,
    i: usize,
    line: usize,
    out: Vec<Token>,
}

impl Lexer {
    fn at(&self, k: usize) -> char {
        self.s.get(self.i + k).copied().unwrap_or('\0')
    }

    fn push(&mut self, tok: Tok) {
        self.out.push(Token {
            tok,
            line: self.line,
        });
    }

    /// Skips `n` characters, counting the lines they end.
    fn skip(&mut self, n: usize) {
        for _ in 0..n {
            if self.at(0) == '\n' {
                self.line += 1;
            }
            self.i += 1;
        }
    }

    fn run(&mut self) {
        while self.i < self.s.len() {
            let c = self.at(0);
            match c {
                '/' if self.at(1) == '/' => {
                    while self.i < self.s.len() && self.at(0) != '\n' {
                        self.i += 1;
                    }
                }
                '/' if self.at(1) == '*' => self.block_comment(),
                '"' => self.string(),
                '\'' => self.quote(),
                ':' if self.at(1) == ':' => {
                    self.push(Tok::Sep);
                    self.i += 2;
                }
                '{' | '}' | ',' => {
                    self.push(match c {
                        '{' => Tok::Open,
                        '}' => Tok::Close,
                        _ => Tok::Comma,
                    });
                    self.i += 1;
                }
                c if c.is_alphabetic() || c == '_' => self.word(),
                c if c.is_ascii_digit() => {
                    while self.at(0).is_alphanumeric() || self.at(0) == '_' {
                        self.i += 1;
                    }
                }
                c if c.is_whitespace() => self.skip(1),
                c => {
                    self.push(Tok::Other(c));
                    self.i += 1;
                }
            }
        }
    }

    fn block_comment(&mut self) {
        let mut depth = 0;
        while self.i < self.s.len() {
            if self.at(0) == '/' && self.at(1) == '*' {
                depth += 1;
                self.skip(2);
            } else if self.at(0) == '*' && self.at(1) == '/' {
                depth -= 1;
                self.skip(2);
                if depth == 0 {
                    return;
                }
            } else {
                self.skip(1);
            }
        }
    }

    /// A `"…"` string with escapes, from its opening quote.
    fn string(&mut self) {
        self.skip(1);
        while self.i < self.s.len() && self.at(0) != '"' {
            let n = if self.at(0) == '\\' { 2 } else { 1 };
            self.skip(n);
        }
        self.skip(1);
    }

    /// A raw string `r#"…"#` from its `#`s or quote (the `r`, `br` or `cr` is read).
    fn raw_string(&mut self) {
        let mut hashes = 0;
        while self.at(0) == '#' {
            hashes += 1;
            self.i += 1;
        }
        self.skip(1);
        while self.i < self.s.len() {
            if self.at(0) == '"' && (1..=hashes).all(|k| self.at(k) == '#') {
                self.skip(1 + hashes);
                return;
            }
            self.skip(1);
        }
    }

    /// A character literal (`'x'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
    fn quote(&mut self) {
        if self.at(1) == '\\' {
            self.skip(3);
            while self.i < self.s.len() && self.at(0) != '\'' {
                self.skip(1);
            }
            self.skip(1);
        } else if self.at(2) == '\'' {
            self.skip(3);
        } else {
            self.i += 1;
        }
    }

    /// An identifier, a raw identifier, or the prefix of a raw string.
    fn word(&mut self) {
        let start = self.i;
        while self.at(0).is_alphanumeric() || self.at(0) == '_' {
            self.i += 1;
        }
        let word: String = self.s[start..self.i].iter().collect();
        let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
        if raw_prefix && (self.at(0) == '"' || (self.at(0) == '#' && self.raw_quote_follows())) {
            self.raw_string();
        } else if word == "r" && self.at(0) == '#' {
            self.i += 1;
            self.word();
        } else {
            self.push(Tok::Ident(word));
        }
    }

    /// Whether the `#`s at the cursor are followed by a quote (a raw string, not `r#ident`).
    fn raw_quote_follows(&self) -> bool {
        let mut k = 0;
        while self.at(k) == '#' {
            k += 1;
        }
        self.at(k) == '"'
    }
}
