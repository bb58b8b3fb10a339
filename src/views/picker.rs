//! A list to choose from: themes (previewed live), contexts, namespaces.

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::layout::Areas;
use crate::app::state::{AppState, Picker};

pub fn draw(frame: &mut Frame, state: &AppState, areas: &Areas, picker: &Picker) {
    let theme = &state.theme;
    let block = Block::bordered().border_style(theme.frame).title(
        Line::from(Span::styled(format!(" {}[{}] ", picker.purpose.title(), picker.items.len()), theme.title))
            .alignment(Alignment::Center),
    );
    frame.render_widget(block, areas.main);
    let height = areas.body.height as usize;
    let lines: Vec<Line> = picker
        .items
        .iter()
        .enumerate()
        .skip(picker.offset)
        .take(height)
        .map(|(index, item)| {
            let style = if index == picker.selected { theme.selected } else { theme.body };
            let width = areas.body.width as usize;
            Line::from(Span::styled(format!("{:<width$}", format!(" {item}")), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), areas.body);
}
