//! Parsing TypeScript with SWC and mapping its spans back to byte ranges of the file.
//!
//! Every range this module hands out is a byte range of the file's original text, byte-order
//! mark included, so that edits can be spliced into the original bytes. SWC never sees the
//! BOM: it is cut off before parsing and its length added back to every range.

use std::ops::Range;

use swc_common::comments::{CommentKind, SingleThreadedComments};
use swc_common::input::StringInput;
use swc_common::{BytePos, Span, Spanned};
use swc_ecma_ast::{EsVersion, Module};
use swc_ecma_parser::{Parser, Syntax, TsSyntax};
use thiserror::Error;

/// The position SWC gives the first byte. `BytePos(0)` is reserved for dummy spans, so the
/// parse starts at 1 and every offset is shifted back by this much.
const START: u32 = 1;

/// A parsed TypeScript module with its comments.
pub struct ParsedModule<'a> {
    /// The text parsed, byte-order mark included.
    text: &'a str,
    /// The module's AST.
    pub module: Module,
    /// Every comment of the file, keyed by SWC position.
    pub comments: SingleThreadedComments,
    /// The length of the byte-order mark the file starts with: 0 or 3.
    pub bom_len: usize,
}

impl<'a> ParsedModule<'a> {
    /// The text parsed, byte-order mark included.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The byte range of `span` in the original text (BOM included).
    pub fn range(&self, span: Span) -> Range<usize> {
        self.offset(span.lo)..self.offset(span.hi)
    }

    /// The byte offset of `pos` in the original text (BOM included).
    pub fn offset(&self, pos: BytePos) -> usize {
        (pos.0 - START) as usize + self.bom_len
    }

    /// How many comments the file holds.
    pub fn comment_count(&self) -> usize {
        let (leading, trailing) = self.comments.borrow_all();
        leading.values().map(Vec::len).sum::<usize>()
            + trailing.values().map(Vec::len).sum::<usize>()
    }

    /// Every comment of the file as a byte range of the original text (BOM included), with
    /// whether it is a `//` line comment; sorted by position.
    pub fn comment_ranges(&self) -> Vec<(Range<usize>, bool)> {
        let (leading, trailing) = self.comments.borrow_all();
        let mut ranges: Vec<(Range<usize>, bool)> = leading
            .values()
            .chain(trailing.values())
            .flatten()
            .map(|c| (self.range(c.span), c.kind == CommentKind::Line))
            .collect();
        ranges.sort_by_key(|(r, _)| (r.start, r.end));
        ranges.dedup();
        ranges
    }
}

/// How deep `(`, `[` and `{` may nest in a file wixsync parses. Real builders, handlers and
/// registries nest a few levels; the parser and the visitors recurse once per level, so a
/// bound here (with the binary's large stack) keeps a hostile file from overflowing the stack.
pub const MAX_NESTING: usize = 512;

/// The offset of the first bracket nested deeper than [`MAX_NESTING`], if any. Brackets in
/// strings and comments count too: a file with 512 unclosed ones in its strings is refused.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(at);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A file that does not parse: the first syntax error.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path} does not parse: {message}")]
pub struct ParseError {
    /// The file, relative to the app root.
    pub path: String,
    /// What SWC says, e.g. "Expected ',', got '<eof>'".
    pub message: String,
    /// Where, as a byte range of the file (BOM included); may be empty.
    pub range: Range<usize>,
}

/// Parses `text` (the content of the file `path`, relative to the app root) as a TypeScript
/// module; `.tsx` files are parsed with JSX.
///
/// # Errors
///
/// [`ParseError`]: the first syntax error, with its place.
pub fn parse_module<'a>(path: &str, text: &'a str) -> Result<ParsedModule<'a>, ParseError> {
    if let Some(at) = too_deep(text) {
        return Err(ParseError {
            path: path.to_owned(),
            message: format!(
                "brackets nest deeper than {MAX_NESTING} levels here, the most wixsync parses"
            ),
            range: at..at + 1,
        });
    }
    let code = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom_len = text.len() - code.len();
    let syntax = Syntax::Typescript(TsSyntax {
        tsx: path.ends_with(".tsx"),
        ..Default::default()
    });
    let comments = SingleThreadedComments::default();
    let input = StringInput::new(code, BytePos(START), BytePos(START + code.len() as u32));
    let mut parser = Parser::new_from(swc_ecma_parser::lexer::Lexer::new(
        syntax,
        EsVersion::latest(),
        input,
        Some(&comments),
    ));
    let result = parser.parse_module();
    let recovered = parser.take_errors();
    let syntax_error = |error: swc_ecma_parser::error::Error| {
        let span = error.span();
        let start = (span.lo.0.max(START) - START) as usize + bom_len;
        let len = (span.hi.0.saturating_sub(span.lo.0)) as usize;
        ParseError {
            path: path.to_owned(),
            message: error.kind().msg().into_owned(),
            range: start..(start + len).min(text.len()),
        }
    };
    match result {
        Ok(module) => match recovered.into_iter().next() {
            Some(error) => Err(syntax_error(error)),
            None => Ok(ParsedModule {
                text,
                module,
                comments,
                bom_len,
            }),
        },
        Err(error) => Err(syntax_error(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use swc_ecma_ast::{ModuleDecl, ModuleItem};

    #[test]
    fn ranges_are_byte_offsets_of_the_original_text_bom_included() {
        let text = "\u{feff}// é\nimport a from 'x';\n";
        let parsed = parse_module("src/extensions.ts", text).unwrap();
        let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = &parsed.module.body[0] else {
            panic!("expected an import");
        };
        let range = parsed.range(import.span);
        assert_eq!(&text[range], "import a from 'x';");
        assert_eq!(parsed.comment_count(), 1);
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error_not_a_stack_overflow() {
        let deep = format!("export default {}1{};", "(".repeat(5000), ")".repeat(5000));
        let error = parse_module("src/extensions.ts", &deep).err().unwrap();
        assert_eq!(error.range.start, 15 + MAX_NESTING);
        assert!(
            error.message.contains("deeper than 512 levels"),
            "{}",
            error.message
        );
        let fine = format!("export default {}1{};", "(".repeat(100), ")".repeat(100));
        assert!(parse_module("src/extensions.ts", &fine).is_ok());
    }

    #[test]
    fn syntax_errors_name_the_place() {
        let error = parse_module(
            "src/extensions.ts",
            "import a from 'x';\nexport default app(\n",
        )
        .err()
        .unwrap();
        assert_eq!(error.range.start, 39);
    }
}
