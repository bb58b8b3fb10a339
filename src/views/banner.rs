//! The connection banner: shown while the API server cannot be reached, gone when the watches recover.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::app::state::AppState;
use crate::cluster::ConnectionState;

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    let text = match &state.connection {
        ConnectionState::Connected => return,
        ConnectionState::Connecting => format!(" Connecting to {}…", state.location.cluster_url),
        ConnectionState::Disconnected { error } => {
            format!(
                " Disconnected from {}: {error} (retrying; showing the last known state)",
                state.location.cluster_url
            )
        }
    };
    let style = match state.connection {
        ConnectionState::Connecting => state.theme.warning,
        _ => state.theme.error,
    };
    let text = super::ellipsize(&text, area.width as usize).into_owned();
    frame.render_widget(Paragraph::new(Line::from(text)).style(style), area);
}
