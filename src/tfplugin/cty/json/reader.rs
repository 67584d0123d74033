//! A small JSON reader that keeps number text (serde_json would round big numbers to f64), and
//! conversions between its documents and serde_json's.

use super::{Error, MAX_DEPTH};

/// A parsed JSON document; numbers keep their text and objects their member order.
#[derive(Debug, Clone)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// What the document is, for messages: "a string", "an object", ...
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a bool",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error(format!("invalid JSON at byte {}: {msg}", self.pos))
    }

    fn ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, Error> {
        if self.b[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err("unexpected token"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.ws();
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => Ok(Json::Array(self.items(b']', |r| r.value(depth + 1))?)),
            Some(b'{') => Ok(Json::Object(self.items(b'}', |r| r.member(depth))?)),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    /// The comma-separated items of an array or object, from its opening bracket to `close`,
    /// each read by `item`.
    fn items<T>(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(items);
                }
                _ => return Err(self.err(format!("expected ',' or '{}'", close as char))),
            }
        }
    }

    /// One `"key": value` member of an object at `depth`.
    fn member(&mut self, depth: usize) -> Result<(String, Json), Error> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string object key"));
        }
        let key = self.string()?;
        self.ws();
        if self.peek() != Some(b':') {
            return Err(self.err("expected ':'"));
        }
        self.pos += 1;
        Ok((key, self.value(depth + 1)?))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, Error> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = self.digits();
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            return Err(self.err("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        // The bytes are ASCII, so this cannot fail.
        let text = std::str::from_utf8(&self.b[start..self.pos]).unwrap_or_default();
        Ok(Json::Number(text.to_string()))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let Some(h) = self.b.get(self.pos..self.pos + 4) else {
            return Err(self.err("truncated \\u escape"));
        };
        let mut v = 0u32;
        for &c in h {
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            v = v * 16 + d;
        }
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let run_start = self.pos;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.pos += 1;
            }
            out.extend_from_slice(&self.b[run_start..self.pos]);
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    // The input was checked to be UTF-8 and escapes push whole characters.
                    return String::from_utf8(out).map_err(|_| self.err("invalid UTF-8"));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(c) = self.peek() else {
                        return Err(self.err("unterminated string"));
                    };
                    self.pos += 1;
                    let ch = match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.b[self.pos..].starts_with(b"\\u") {
                                    return Err(self.err("lone surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("invalid surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)
                                .ok_or_else(|| self.err("lone surrogate in \\u escape"))?
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }
}

/// Parses JSON text exactly: numbers keep their text (see [`Json`]).
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Json, Error> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(Error(format!(
            "invalid JSON: not UTF-8 at byte {}",
            e.valid_up_to()
        )));
    }
    let mut r = Reader { b: bytes, pos: 0 };
    let v = r.value(0)?;
    r.ws();
    if r.pos != bytes.len() {
        return Err(r.err("trailing data after the value"));
    }
    Ok(v)
}

pub(super) fn json_from_serde(v: &serde_json::Value, depth: usize) -> Result<Json, Error> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(Error(format!("JSON nested deeper than {MAX_DEPTH} levels")));
    }
    Ok(match v {
        J::Null => Json::Null,
        J::Bool(b) => Json::Bool(*b),
        J::Number(n) => Json::Number(n.to_string()),
        J::String(s) => Json::String(s.clone()),
        J::Array(a) => Json::Array(
            a.iter()
                .map(|x| json_from_serde(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(m) => Json::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), json_from_serde(x, depth + 1)?)))
                .collect::<Result<_, Error>>()?,
        ),
    })
}

pub(super) fn json_to_serde(j: &Json) -> serde_json::Value {
    use serde_json::Value as J;
    match j {
        Json::Null => J::Null,
        Json::Bool(b) => J::Bool(*b),
        Json::Number(t) => serde_json::from_str(t).unwrap_or(J::String(t.clone())),
        Json::String(s) => J::String(s.clone()),
        Json::Array(a) => J::Array(a.iter().map(json_to_serde).collect()),
        Json::Object(m) => J::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), json_to_serde(v)))
                .collect(),
        ),
    }
}
