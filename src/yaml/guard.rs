//! What is refused before libyaml sees it: a model of libyaml's scanner
//! just precise enough to count the brackets that open flow collections
//! (libyaml's scanner is quadratic in flow depth).

use super::YamlError;

/// Deeper `[`/`{` nesting than this is refused before parsing: libyaml's
/// scanner is quadratic in flow depth, so 20,000 brackets would take half a
/// second before its own recursion limit fires.
pub(crate) const MAX_FLOW_DEPTH: usize = 64;

/// What the character at hand is part of, as libyaml's scanner would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Between tokens: a quote here opens a quoted scalar.
    Between,
    /// Inside a plain scalar, where quotes and (in block context) brackets are text.
    Plain,
    /// Inside a `'…'` or `"…"` scalar.
    Quoted(u8),
    /// A comment, to the end of the line.
    Comment,
    /// The content of a `|` or `>` scalar: lines indented at least `indent`,
    /// once the first content line has set it.
    Block {
        indent: Option<usize>,
        min: usize,
        widest_blank: usize,
    },
    /// Something this model does not follow (a tag, an unusual line break):
    /// from here on every opening bracket counts and none closes.
    Doubt,
}

/// A model of libyaml's scanner just precise enough to tell which brackets
/// open flow collections: it follows plain, quoted and block scalars,
/// comments and the block indentation that decides whether a plain scalar
/// continues on the next line. Where it could be wrong it errs towards
/// counting a bracket (the [`Mode::Doubt`] state), never towards skipping one.
struct DepthScan {
    mode: Mode,
    /// Flow depth as libyaml sees it.
    depth: usize,
    /// The count the limit applies to: `depth`, or more once in doubt.
    bound: usize,
    /// libyaml's stack of block indentation columns (`-1` at the top level).
    indents: Vec<isize>,
    /// Column where the node being read on this line began (a mapping key, when `:` follows).
    node_col: Option<usize>,
    /// Whether the previous character was a blank (a `#` after one starts a comment).
    after_blank: bool,
}

fn is_blankz(b: Option<u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

fn is_anchor_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl DepthScan {
    fn too_deep(line: u32, column: u32) -> YamlError {
        YamlError {
            line,
            column,
            message: format!("brackets nest deeper than {MAX_FLOW_DEPTH} levels"),
            hint: Some(
                "flatten the value: front matter needs no more than a few levels of `[` and `{`"
                    .to_string(),
            ),
            earlier_line: None,
        }
    }

    fn top_indent(&self) -> isize {
        self.indents.last().copied().unwrap_or(-1)
    }

    /// libyaml's `roll_indent`: a block collection starting at `col` in block context.
    fn roll(&mut self, col: usize) {
        let col = col as isize;
        if self.depth == 0 && self.top_indent() < col {
            self.indents.push(col);
        }
    }

    fn open(&mut self) -> bool {
        self.depth += 1;
        self.bound += 1;
        self.bound > MAX_FLOW_DEPTH
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.bound = self.bound.saturating_sub(1);
    }

    /// Decides how a new line starts, given the state the previous one ended in.
    /// Returns the byte index where scanning continues.
    fn start_line(&mut self, line: &[u8]) -> usize {
        let spaces = line.iter().take_while(|&&b| b == b' ').count();
        let first = line
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(line.len());
        let blank = matches!(line.get(first), None | Some(b'\r' | b'\n'));
        let marker = (line.starts_with(b"---") || line.starts_with(b"..."))
            && is_blankz(line.get(3).copied());
        self.node_col = None;
        self.after_blank = true;
        match self.mode {
            Mode::Quoted(_) | Mode::Doubt => 0,
            Mode::Comment => {
                self.mode = Mode::Between;
                first
            }
            Mode::Between => first,
            Mode::Plain => {
                // A plain scalar goes on over a line break in flow context, and
                // in block context onto lines indented past the current block.
                let continues = blank
                    || (!marker
                        && line.get(first) != Some(&b'#')
                        && (self.depth > 0 || first as isize > self.top_indent()));
                if !continues {
                    self.mode = Mode::Between;
                }
                first
            }
            Mode::Block {
                indent,
                min,
                widest_blank,
            } => {
                if blank && !marker {
                    if indent.is_none() {
                        self.mode = Mode::Block {
                            indent,
                            min,
                            widest_blank: widest_blank.max(spaces),
                        };
                    }
                    return line.len();
                }
                let needed = indent.unwrap_or_else(|| widest_blank.max(spaces).max(min));
                if !marker && spaces >= needed {
                    self.mode = Mode::Block {
                        indent: Some(needed),
                        min,
                        widest_blank,
                    };
                    line.len()
                } else {
                    self.mode = Mode::Between;
                    first
                }
            }
        }
    }

    /// A block scalar header (`|`, `>-`, `|2`) at `i`: its content starts on the next line.
    fn block_header(&mut self, line: &[u8], i: usize) {
        let mut j = i + 1;
        let mut explicit = None;
        while let Some(&b) = line.get(j) {
            match b {
                b'+' | b'-' => {}
                b'1'..=b'9' => explicit = Some(usize::from(b - b'0')),
                _ => break,
            }
            j += 1;
        }
        let top = self.top_indent();
        let min = usize::try_from(top + 1).unwrap_or(0).max(1);
        let indent = explicit.map(|n| usize::try_from(top).map_or(n, |t| t + n));
        self.mode = Mode::Block {
            indent,
            min,
            widest_blank: 0,
        };
    }

    /// Scans one line; `Err` at the first bracket past the limit.
    fn scan_line(&mut self, line: &[u8], line_no: u32) -> Result<(), YamlError> {
        let mut i = self.start_line(line);
        // Columns count characters, as the error's column does.
        let mut col = line[..i.min(line.len())]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        while i < line.len() {
            let b = line[i];
            let next = line.get(i + 1).copied();
            let mut step = 1;
            match self.mode {
                Mode::Comment | Mode::Block { .. } => return Ok(()),
                Mode::Doubt => {
                    if matches!(b, b'[' | b'{') {
                        self.bound += 1;
                        if self.bound > MAX_FLOW_DEPTH {
                            return Err(Self::too_deep(line_no, crate::text::to_u32(col + 1)));
                        }
                    }
                }
                Mode::Quoted(q) => {
                    // `\"` in double quotes and `''` in single quotes do not close them.
                    let escaped =
                        (q == b'"' && b == b'\\') || (q == b'\'' && b == q && next == Some(q));
                    if escaped {
                        step = 2;
                    } else if b == q {
                        self.mode = Mode::Between;
                    }
                }
                Mode::Plain => {
                    let ends = (b == b':' && is_blankz(next))
                        || (self.depth > 0 && matches!(b, b',' | b'[' | b']' | b'{' | b'}'))
                        || (b == b'#' && self.after_blank);
                    if ends {
                        self.mode = Mode::Between;
                        continue;
                    }
                }
                Mode::Between => step = self.token(line, i, col, line_no)?,
            }
            self.after_blank = matches!(b, b' ' | b'\t');
            // Unusual line breaks (a lone CR, NEL, LS, PS) end lines for libyaml but not here.
            let odd_break = (b == b'\r' && next != Some(b'\n'))
                || (b == 0xC2 && next == Some(0x85))
                || (b == 0xE2
                    && next == Some(0x80)
                    && matches!(line.get(i + 2), Some(0xA8 | 0xA9)));
            if odd_break {
                self.mode = Mode::Doubt;
            }
            for &c in &line[i..(i + step).min(line.len())] {
                if c & 0xC0 != 0x80 {
                    col += 1;
                }
            }
            i += step;
        }
        Ok(())
    }

    /// The token starting at `i` in [`Mode::Between`]: sets the next mode
    /// and returns how many bytes it takes.
    fn token(
        &mut self,
        line: &[u8],
        i: usize,
        col: usize,
        line_no: u32,
    ) -> Result<usize, YamlError> {
        let b = line[i];
        let next = line.get(i + 1).copied();
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            return Ok(1);
        }
        let flow = self.depth > 0;
        if !flow {
            // libyaml's `unroll_indent`: a token left of a block ends that block.
            while self.top_indent() > col as isize {
                self.indents.pop();
            }
        }
        let marker = i == 0
            && matches!(b, b'-' | b'.')
            && line.len() >= 3
            && line[..3].iter().all(|&c| c == b)
            && is_blankz(line.get(3).copied());
        match b {
            _ if marker => {
                self.node_col = None;
                return Ok(3);
            }
            b'#' => self.mode = Mode::Comment,
            b'%' if col == 0 => self.mode = Mode::Comment,
            b'[' | b'{' => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                if self.open() {
                    return Err(Self::too_deep(line_no, crate::text::to_u32(col + 1)));
                }
            }
            b']' | b'}' => self.close(),
            b',' => {}
            b'-' if is_blankz(next) => {
                self.roll(col);
                self.node_col = None;
            }
            b'?' | b':' if flow || is_blankz(next) => {
                // A value's block mapping starts at its key, a `?`'s at the `?`.
                let at = if b == b':' {
                    self.node_col.unwrap_or(col)
                } else {
                    col
                };
                self.roll(at);
                self.node_col = None;
            }
            b'&' | b'*' => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                let name = line[i + 1..]
                    .iter()
                    .take_while(|&&c| is_anchor_byte(c))
                    .count();
                return Ok(1 + name);
            }
            b'!' => self.mode = Mode::Doubt,
            b'|' | b'>' if !flow => self.block_header(line, i),
            b'\'' | b'"' => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                self.mode = Mode::Quoted(b);
            }
            _ => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                self.mode = Mode::Plain;
            }
        }
        Ok(1)
    }
}

/// Finds the first bracket that nests deeper than [`MAX_FLOW_DEPTH`] as
/// libyaml would read it: brackets in quoted, plain and block scalars and in
/// comments are text, and a quote in the middle of a plain scalar opens nothing.
pub(super) fn check_flow_depth(text: &str) -> Result<(), YamlError> {
    // The scan counts each opening bracket at most once, so a text with no
    // more of them than the limit is never refused: nearly every front
    // matter, which then costs one SIMD pass instead of the model's
    // byte-by-byte walk (2% of a 10k rebuild).
    if memchr::memchr2_iter(b'[', b'{', text.as_bytes()).count() <= MAX_FLOW_DEPTH {
        return Ok(());
    }
    let mut scan = DepthScan {
        mode: Mode::Between,
        depth: 0,
        bound: 0,
        indents: vec![-1],
        node_col: None,
        after_blank: true,
    };
    for (n, line) in text.as_bytes().split_inclusive(|&b| b == b'\n').enumerate() {
        scan.scan_line(line, crate::text::to_u32(n + 1))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the depth guard refuses `text`, if it does.
    fn refused_at(text: &str) -> Option<(u32, u32)> {
        check_flow_depth(text).err().map(|e| (e.line, e.column))
    }

    #[test]
    fn the_limit_holds_with_as_many_brackets_as_it_allows_and_one_more() {
        let nested = |n: usize| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(refused_at(&nested(MAX_FLOW_DEPTH)), None);
        assert_eq!(
            refused_at(&nested(MAX_FLOW_DEPTH + 1)),
            Some((1, 4 + u32::try_from(MAX_FLOW_DEPTH).expect("small")))
        );
        // Brackets in a quoted scalar are text, however many there are.
        let quoted = format!("a: \"{}\"\n", "[".repeat(MAX_FLOW_DEPTH * 2));
        assert_eq!(refused_at(&quoted), None);
    }

    #[test]
    fn a_quote_inside_a_plain_scalar_opens_nothing() {
        let deep = "[".repeat(100);
        // The bypass of issue #13: an unmatched quote in the middle of a title.
        let text = format!("title: the \"best plan\nx: {deep}\n");
        assert_eq!(refused_at(&text), Some((2, 68)));
        let text = format!("title: it's {deep}\nx: {deep}\n");
        assert_eq!(refused_at(&text), Some((2, 68)));
        // Brackets are text in a block-context plain scalar, including on its
        // continuation lines, where a leading quote is text too.
        assert_eq!(
            refused_at(&format!("title: a {deep}\n  \"q {deep}\n")),
            None
        );
        // A line at the mapping's indentation ends the plain scalar: the quote
        // opens a scalar there, and what follows its end counts.
        let text = format!("a: b\n\"q: \"{deep}\n");
        assert_eq!(refused_at(&text), Some((2, 70)));
        let text = format!("- a: b\n  \"q: \"{deep}\n");
        assert_eq!(refused_at(&text), Some((2, 72)));
    }

    #[test]
    fn real_quoted_scalars_and_block_scalars_hide_their_brackets() {
        let deep = "[".repeat(100);
        for text in [
            format!("x: \"{deep}\"\n"),
            format!("x: '{deep}'\n"),
            format!("x: 'it''s {deep}'\n"),
            format!("x: \"a\\\" {deep}\"\n"),
            format!("x: [\"{deep}\", '{deep}']\n"),
            format!("x: {{a: \"{deep}\"}}\n"),
            format!("x: \"multi\n  line {deep}\"\n"),
            format!("x: |\n  {deep}\n  a: \"b\n\n  more\ny: 1\n"),
            format!("x: # {deep}\n  - 1\n"),
        ] {
            assert_eq!(refused_at(&text), None, "{text}");
        }
        // Where the block scalar ends, brackets count again.
        let text = format!("x: >-\n  a: \"b\ny: {deep}\n");
        assert_eq!(refused_at(&text), Some((3, 68)));
        // Quoted closing brackets do not lower the count.
        let text = "x: ".to_string() + &"[[ \"]]\", ".repeat(40);
        assert!(refused_at(&text).is_some());
    }

    #[test]
    fn what_the_scan_does_not_follow_counts_every_bracket() {
        let deep = "[".repeat(100);
        // A tag, then a quote: in doubt, the brackets count.
        assert!(refused_at(&format!("x: !t \"{deep}\"\n")).is_some());
        // A lone carriage return is a line break to libyaml.
        assert!(refused_at(&format!("a: b\r\"q: \"{deep}\n")).is_some());
    }
}
