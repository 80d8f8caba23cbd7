//! Trivia: the whitespace, comments and line ends around an item of `src/extensions.ts` (an
//! import, a `.use(...)` link), recorded as byte ranges while scanning.
//!
//! This plays the part of toml_edit's `Decor`: the changeset decides what travels with an item
//! when it is removed, and where a new item goes, from these ranges alone, never by searching
//! the text. Comments come from SWC's lexer ([`ParsedModule::comment_ranges`]), so a `//`
//! inside a string is never taken for one.

use std::ops::Range;

use crate::parse::ParsedModule;

/// A comment that is the only thing after an item on the item's last line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailingComment {
    /// The comment's byte range (without the spaces before it).
    pub range: Range<usize>,
    /// Whether it is a `//` line comment (else a `/* ... */` block that ends on the line).
    pub is_line: bool,
}

/// The trivia around one item, as byte ranges of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decor {
    /// The spaces and tabs that open the line the item starts on.
    pub line_indent: Range<usize>,
    /// Whether the item opens its line: only `line_indent` stands before it there.
    pub opens_line: bool,
    /// A comment standing alone after the item on its last line.
    pub comment: Option<TrailingComment>,
    /// Whether nothing but spaces and tabs (and `comment`) follows the item on its last line.
    pub rest_blank: bool,
    /// The line end after the item's last line: `\n` or `\r\n`, or an empty range at the end
    /// of the file.
    pub eol: Range<usize>,
}

impl Decor {
    /// The lines the item fills, line end included, when it stands alone on them: what to
    /// delete so that no empty line is left.
    pub fn own_lines(&self) -> Option<Range<usize>> {
        Decor::lines_through(self, self)
    }

    /// The lines a run of items fills, from the line of the item decorated by `first` to that
    /// of the item decorated by `last`, line end included, when the run stands alone on them.
    pub fn lines_through(first: &Decor, last: &Decor) -> Option<Range<usize>> {
        (first.opens_line && last.comment.is_none() && last.rest_blank)
            .then_some(first.line_indent.start..last.eol.end)
    }
}

/// Whitespace other than a line end, as `str::trim` sees it.
fn is_blank(c: char) -> bool {
    c.is_whitespace() && c != '\n' && c != '\r'
}

/// Reads trivia off a parsed file's text.
pub(crate) struct Trivia<'a> {
    text: &'a str,
    comments: Vec<(Range<usize>, bool)>,
    /// The offset of every `\n`, so that finding an item's line costs a binary search, not a
    /// scan of a long line for each item of it.
    newlines: Vec<usize>,
}

impl<'a> Trivia<'a> {
    /// The trivia reader of `text`, as `parsed` parsed it.
    pub(crate) fn new(text: &'a str, parsed: &ParsedModule<'_>) -> Self {
        Trivia {
            text,
            comments: parsed.comment_ranges(),
            newlines: text.match_indices('\n').map(|(i, _)| i).collect(),
        }
    }

    /// The start of the line holding `offset`.
    fn line_start(&self, offset: usize) -> usize {
        let before = self.newlines.partition_point(|&n| n < offset);
        before.checked_sub(1).map_or(0, |i| self.newlines[i] + 1)
    }

    /// The offset of the first `\n` at or after `offset`, or the end of the text.
    fn next_newline(&self, offset: usize) -> usize {
        let i = self.newlines.partition_point(|&n| n < offset);
        self.newlines.get(i).copied().unwrap_or(self.text.len())
    }

    /// The decor of the item at `range`.
    pub(crate) fn decor(&self, range: &Range<usize>) -> Decor {
        let text = self.text;
        let line_start = self.line_start(range.start);
        let before = &text[line_start..range.start];
        let indent_len = before.len() - before.trim_start_matches([' ', '\t']).len();
        let opens_line = before.chars().all(is_blank);
        let line_end = self.next_newline(range.end);
        let mut at = range.end;
        at += text[at..line_end].len() - text[at..line_end].trim_start_matches(is_blank).len();
        let first = self.comments.partition_point(|(c, _)| c.start < at);
        let comment = self
            .comments
            .get(first)
            .filter(|(c, _)| c.start == at && !text[c.clone()].contains('\n'))
            .map(|(c, is_line)| TrailingComment {
                range: c.clone(),
                is_line: *is_line,
            });
        let after_item = match &comment {
            Some(c) => c.range.end,
            None => range.end,
        };
        let rest = &text[after_item..self.next_newline(after_item)];
        let blank_len = rest.len() - rest.trim_start_matches(is_blank).len();
        let terminator_at = after_item + blank_len;
        let eol = if text[terminator_at..].starts_with("\r\n") {
            Some(terminator_at..terminator_at + 2)
        } else if text[terminator_at..].starts_with('\n') {
            Some(terminator_at..terminator_at + 1)
        } else if terminator_at == text.len() {
            Some(terminator_at..terminator_at)
        } else {
            None
        };
        let rest_blank = eol.is_some();
        let eol = eol.unwrap_or_else(|| {
            // Code follows on the line: its end is still where new lines go, or, when a block
            // comment opened after the item runs onto later lines, the end of the line it
            // closes on (a new line inside the comment would be commented out).
            let mut end = line_end;
            loop {
                let from = self.comments.partition_point(|(c, _)| c.start < range.end);
                let spill = self.comments[from..]
                    .iter()
                    .take_while(|(c, _)| c.start < end)
                    .filter(|(c, _)| c.end > end)
                    .map(|(c, _)| c.end)
                    .max();
                match spill {
                    Some(comment_end) => end = self.next_newline(comment_end),
                    None => break,
                }
            }
            let start = if text[..end].ends_with('\r') {
                end - 1
            } else {
                end
            };
            start..(end + 1).min(text.len())
        });
        Decor {
            line_indent: line_start..line_start + indent_len,
            opens_line,
            comment: comment.filter(|_| rest_blank),
            rest_blank,
            eol,
        }
    }

    /// Whether a comment lies inside `range`.
    pub(crate) fn has_comment(&self, range: &Range<usize>) -> bool {
        let first = self
            .comments
            .partition_point(|(c, _)| c.start < range.start);
        self.comments
            .get(first)
            .is_some_and(|(c, _)| c.end <= range.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_module;

    fn decor(text: &str, item: &str) -> Decor {
        let parsed = parse_module("x.ts", text).unwrap();
        let start = text.find(item).unwrap();
        Trivia::new(text, &parsed).decor(&(start..start + item.len()))
    }

    #[test]
    fn an_item_alone_on_its_line_owns_it() {
        let text = "a\n  .use(x)\r\nb";
        let d = decor(text, ".use(x)");
        assert!(d.opens_line && d.rest_blank);
        assert_eq!(d.own_lines(), Some(2..13));
        assert_eq!(&text[d.line_indent.clone()], "  ");
        assert_eq!(&text[d.eol.clone()], "\r\n");
    }

    #[test]
    fn a_trailing_comment_is_recorded_and_keeps_the_line() {
        let text = "app()\n  .use(x) // keep\n";
        let d = decor(text, ".use(x)");
        let comment = d.comment.clone().unwrap();
        assert_eq!(&text[comment.range], "// keep");
        assert!(comment.is_line);
        assert_eq!(d.own_lines(), None);
        // `//` inside a string is no comment.
        let text = "app().use(x); const s = '// no';\n";
        let d = decor(text, ".use(x)");
        assert_eq!(d.comment, None);
        assert!(!d.rest_blank);
        assert_eq!(d.eol, text.len() - 1..text.len());
    }

    #[test]
    fn a_block_comment_running_past_the_line_moves_the_line_end_after_it() {
        let text = "import a from 'a'; /* one\ntwo */ x;\nexport default 1;\n";
        let d = decor(text, "import a from 'a';");
        assert!(!d.rest_blank && d.comment.is_none());
        assert_eq!(&text[..d.eol.end], "import a from 'a'; /* one\ntwo */ x;\n");
    }

    #[test]
    fn end_of_file_without_a_line_end() {
        let text = "app().use(x)";
        let d = decor(text, ".use(x)");
        assert!(d.rest_blank && !d.opens_line);
        assert_eq!(d.eol, 12..12);
    }
}
