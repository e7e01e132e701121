//! Flowing text onto A4 pages: wrapped paragraphs, key/value lines and tables that continue
//! on the next page with their header repeated.

use pdf_writer::{Content, Name, Str};

use super::fonts::{Font, encode};

/// A4, in points.
pub(crate) const PAGE_WIDTH: f32 = 595.0;
/// A4, in points.
pub(crate) const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
/// Width of the text column.
pub(crate) const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = PAGE_HEIGHT - MARGIN;
/// Text stops here; the footer sits below.
const BOTTOM: f32 = MARGIN;
const FOOTER_BASELINE: f32 = 28.0;
/// Indentation of one nesting level.
const INDENT: f32 = 12.0;
/// Space between table columns.
const CELL_PAD: f32 = 4.0;
/// A key takes the value's line while it is narrower than this share of the line.
const KEY_SHARE: f32 = 0.4;

/// Body text size.
pub(crate) const BODY: f32 = 9.0;
/// Table text size.
pub(crate) const SMALL: f32 = 8.0;

/// Line height of text at `size`.
fn leading(size: f32) -> f32 {
    size * 1.3
}

/// A column of a table.
pub(crate) struct Column {
    /// Header text.
    pub title: &'static str,
    /// Width in points, padding included.
    pub width: f32,
    /// Font of the cells.
    pub font: Font,
}

/// Pages being filled from top to bottom.
pub(crate) struct Layout {
    /// Full pages.
    done: Vec<Content>,
    /// The page being filled.
    page: Content,
    /// Top of the next line.
    y: f32,
    /// Whether some text had characters the fonts cannot show.
    replaced: bool,
}

impl Layout {
    /// One empty page.
    pub(crate) fn new() -> Self {
        Self {
            done: Vec::new(),
            page: Content::new(),
            y: TOP,
            replaced: false,
        }
    }

    /// Whether some text had characters outside WinAnsi, shown as `?`.
    pub(crate) fn replaced_characters(&self) -> bool {
        self.replaced
    }

    /// Vertical space.
    pub(crate) fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub(crate) fn keep(&mut self, height: f32) {
        if self.y - height < BOTTOM && self.y < TOP {
            self.next_page();
        }
    }

    /// A bold heading, kept on the page of the three lines after it.
    pub(crate) fn heading(&mut self, text: &str, size: f32) {
        self.gap(size * 0.6);
        self.keep(leading(size) + 3.0 * leading(BODY));
        self.paragraph(0, Font::Bold, size, text);
        self.gap(size * 0.2);
    }

    /// `text` wrapped to the text column, indented `depth` levels.
    pub(crate) fn paragraph(&mut self, depth: usize, font: Font, size: f32, text: &str) {
        let x = indent(depth);
        let text = self.encode(text);
        for line in wrap(&text, font, size, MARGIN + TEXT_WIDTH - x) {
            self.line(x, font, size, &line);
        }
    }

    /// `key: value`, the key in bold, the value wrapped beside it (or below it, indented, when
    /// the key is long), in `font`.
    pub(crate) fn pair(&mut self, depth: usize, key: &str, value: &str, font: Font) {
        let x = indent(depth);
        let available = MARGIN + TEXT_WIDTH - x;
        let key = self.encode(&format!("{key}: "));
        let key_width = Font::Bold.width(&key, BODY);
        let value = self.encode(value);
        if key_width > available * KEY_SHARE {
            self.line(x, Font::Bold, BODY, &key);
            for line in wrap(&value, font, BODY, available - INDENT) {
                self.line(x + INDENT, font, BODY, &line);
            }
            return;
        }
        let lines = wrap(&value, font, BODY, available - key_width);
        self.keep(leading(BODY));
        self.show(x, Font::Bold, BODY, &key);
        for line in &lines {
            self.line(x + key_width, font, BODY, line);
        }
    }

    /// A table with a bold header row, repeated at the top of each page it continues on.
    pub(crate) fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        self.keep(2.0 * leading(SMALL) + 2.0);
        self.table_header(columns);
        let line_height = leading(SMALL);
        for row in rows {
            let cells: Vec<Vec<Vec<u8>>> = columns
                .iter()
                .zip(row)
                .map(|(column, text)| {
                    let text = self.encode(text);
                    wrap(&text, column.font, SMALL, column.width - CELL_PAD)
                })
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            if self.y - height as f32 * line_height < BOTTOM {
                self.next_page();
                self.table_header(columns);
            }
            for i in 0..height {
                if self.y - line_height < BOTTOM {
                    self.next_page();
                    self.table_header(columns);
                }
                let mut x = MARGIN;
                for (column, lines) in columns.iter().zip(&cells) {
                    if let Some(line) = lines.get(i) {
                        self.show(x, column.font, SMALL, line);
                    }
                    x += column.width;
                }
                self.y -= line_height;
            }
            self.rule(0.85);
        }
    }

    /// The pages, each with `footer(page, pages)` (from 1) at its bottom.
    pub(crate) fn finish(mut self, footer: impl Fn(usize, usize) -> String) -> Vec<Vec<u8>> {
        self.next_page();
        let total = self.done.len();
        let footers: Vec<Vec<u8>> = (1..=total)
            .map(|page| self.encode(&footer(page, total)))
            .collect();
        self.done
            .into_iter()
            .zip(footers)
            .map(|(mut content, text)| {
                content.save_state().set_fill_gray(0.4);
                content
                    .begin_text()
                    .set_font(Name(Font::Regular.resource()), 7.0)
                    .next_line(MARGIN, FOOTER_BASELINE)
                    .show(Str(&text))
                    .end_text();
                content.restore_state();
                content.finish().to_vec()
            })
            .collect()
    }

    fn table_header(&mut self, columns: &[Column]) {
        let mut x = MARGIN;
        for column in columns {
            let title = self.encode(column.title);
            self.show(x, Font::Bold, SMALL, &title);
            x += column.width;
        }
        self.y -= leading(SMALL);
        self.rule(0.3);
    }

    /// A thin horizontal line across the text column, `gray` from 0 (black) to 1 (white).
    fn rule(&mut self, gray: f32) {
        let y = self.y + 1.5;
        self.page
            .save_state()
            .set_stroke_gray(gray)
            .set_line_width(0.5)
            .move_to(MARGIN, y)
            .line_to(MARGIN + TEXT_WIDTH, y)
            .stroke()
            .restore_state();
        self.y -= 2.0;
    }

    /// One line of text at `x`, on a new page if it does not fit.
    fn line(&mut self, x: f32, font: Font, size: f32, text: &[u8]) {
        self.keep(leading(size));
        self.show(x, font, size, text);
        self.y -= leading(size);
    }

    /// Draws `text` on the current line without moving down.
    fn show(&mut self, x: f32, font: Font, size: f32, text: &[u8]) {
        let baseline = self.y - size;
        self.page
            .begin_text()
            .set_font(Name(font.resource()), size)
            .next_line(x, baseline)
            .show(Str(text))
            .end_text();
    }

    fn next_page(&mut self) {
        self.done
            .push(std::mem::replace(&mut self.page, Content::new()));
        self.y = TOP;
    }

    fn encode(&mut self, text: &str) -> Vec<u8> {
        let (bytes, replaced) = encode(text);
        self.replaced |= replaced;
        bytes
    }
}

/// Left edge of text nested `depth` levels.
fn indent(depth: usize) -> f32 {
    MARGIN + INDENT * depth.min(12) as f32
}

/// Lines of at most `width` points: broken at spaces, within words longer than a line, and
/// at every newline.
pub(crate) fn wrap(text: &[u8], font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
    let space = font.width(b" ", size);
    let mut lines = Vec::new();
    for paragraph in text.split(|&byte| byte == b'\n') {
        let mut line: Vec<u8> = Vec::new();
        let mut line_width = 0.0;
        for word in paragraph
            .split(|&byte| byte == b' ')
            .filter(|w| !w.is_empty())
        {
            let word_width = font.width(word, size);
            let gap = if line.is_empty() { 0.0 } else { space };
            if line_width + gap + word_width <= width {
                if !line.is_empty() {
                    line.push(b' ');
                }
                line.extend_from_slice(word);
                line_width += gap + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            for &byte in word {
                let glyph = font.width(&[byte], size);
                if line_width + glyph > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(byte);
                line_width += glyph;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::{Font, wrap};

    fn fits(lines: &[Vec<u8>], width: f32) -> bool {
        lines.iter().all(|l| Font::Regular.width(l, 9.0) <= width)
    }

    #[test]
    fn breaks_at_spaces_within_the_width() {
        let text = b"the quick brown fox jumps over the lazy dog ".repeat(10);
        let lines = wrap(&text, Font::Regular, 9.0, 120.0);
        assert!(lines.len() > 5);
        assert!(fits(&lines, 120.0));
        let rejoined = lines
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(rejoined, String::from_utf8_lossy(&text).trim_end());
    }

    #[test]
    fn long_words_are_cut_and_newlines_kept() {
        let hash = b"ab".repeat(64);
        let lines = wrap(&hash, Font::Regular, 9.0, 100.0);
        assert!(lines.len() > 1);
        assert!(fits(&lines, 100.0));
        assert_eq!(lines.concat(), hash);
        assert_eq!(wrap(b"a\nb", Font::Regular, 9.0, 100.0).len(), 2);
        assert_eq!(wrap(b"", Font::Regular, 9.0, 100.0), vec![Vec::<u8>::new()]);
    }
}
