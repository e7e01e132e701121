//! The PDF file around the pages: catalog, page tree, fonts, document information.

use pdf_writer::{Name, Pdf, Rect, Ref, TextStr};

use super::fonts::Font;
use super::layout::{PAGE_HEIGHT, PAGE_WIDTH};

const CATALOG: i32 = 1;
const PAGE_TREE: i32 = 2;
const INFO: i32 = 3;
/// The fonts take the ids after [`INFO`], the pages and their contents the ids after them.
const FIRST_FONT: i32 = 4;

/// A PDF of the content streams `pages`, one A4 page each.
pub(crate) fn assemble(pages: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let font_ids: Vec<(Font, Ref)> = Font::ALL
        .iter()
        .zip(FIRST_FONT..)
        .map(|(&font, id)| (font, Ref::new(id)))
        .collect();
    let first_page = FIRST_FONT + font_ids.len() as i32;
    let page_ids: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| {
            (
                Ref::new(first_page + 2 * i),
                Ref::new(first_page + 2 * i + 1),
            )
        })
        .collect();

    pdf.catalog(Ref::new(CATALOG)).pages(Ref::new(PAGE_TREE));
    pdf.pages(Ref::new(PAGE_TREE))
        .kids(page_ids.iter().map(|&(page, _)| page))
        .count(page_ids.len() as i32);
    for &(font, id) in &font_ids {
        pdf.type1_font(id)
            .base_font(Name(font.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (&(page_id, content_id), content) in page_ids.iter().zip(pages) {
        // Each writer finishes its object when dropped, at the end of this block.
        {
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(Ref::new(PAGE_TREE))
                .contents(content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            for &(font, id) in &font_ids {
                fonts.pair(Name(font.resource()), id);
            }
        }
        pdf.stream(content_id, content);
    }
    pdf.document_info(Ref::new(INFO))
        .title(TextStr("Phantom evidence report"))
        .producer(TextStr(concat!(
            "phantom-evidence ",
            env!("CARGO_PKG_VERSION")
        )));
    pdf.finish()
}
