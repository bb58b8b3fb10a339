//! A table's rows as shown: filtered, sorted, with the selection, the scroll offset and the column widths,
//! all computed in the update step so that drawing only slices the visible rows.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthStr;

use crate::model::{Column, Filter, ObjectKey, Row, SortSpec};

/// Widest a column may get before the table clips it (the detail line shows the full text).
const MAX_COLUMN_WIDTH: usize = 80;

/// Which columns go first when the terminal is too narrow for all of them.
const DROP_ORDER: [Column; 6] =
    [Column::LastReconcile, Column::Suspended, Column::Revision, Column::Age, Column::Kind, Column::Namespace];

/// Columns that may be narrower than their content (their text is ellipsized).
const SQUEEZABLE: [Column; 4] = [Column::Revision, Column::Name, Column::Kind, Column::Namespace];

/// The narrowest a column may get.
fn minimum_width(column: Column) -> u16 {
    match column {
        Column::Namespace => 10,
        Column::Kind => 10,
        Column::Name => 14,
        Column::Revision => 16,
        Column::Suspended => 9,
        Column::Ready => 9,
        Column::Message => 16,
        Column::Age => 5,
        Column::LastReconcile => 10,
    }
}

#[derive(Debug, Clone)]
pub struct TableView {
    pub columns: Vec<Column>,
    /// The rows that pass the filter, sorted.
    pub rows: Vec<Arc<Row>>,
    /// How many rows there are before filtering.
    pub total: usize,
    pub selected: usize,
    /// The first row drawn.
    pub offset: usize,
    /// Whether the user has moved the selection. Until then it stays on the first row while the kinds arrive
    /// one after the other; afterwards it follows its object when rows come and go.
    pub moved: bool,
    pub sort: SortSpec,
    /// The filter as typed, and parsed.
    pub filter_text: String,
    pub filter: Filter,
    /// Each column's width: the widest cell (capped) or the title.
    pub widths: Vec<u16>,
}

impl TableView {
    pub fn new(columns: Vec<Column>) -> TableView {
        TableView {
            columns,
            rows: Vec::new(),
            total: 0,
            selected: 0,
            offset: 0,
            moved: false,
            sort: SortSpec::default(),
            filter_text: String::new(),
            filter: Filter::default(),
            widths: Vec::new(),
        }
    }

    pub fn selected_row(&self) -> Option<&Arc<Row>> {
        self.rows.get(self.selected)
    }

    /// Replaces the rows with `all` filtered and sorted, keeping the selection on the same object when it is
    /// still there (so a watch event never moves the cursor under the user).
    pub fn set_rows(&mut self, all: Vec<Arc<Row>>, now: DateTime<Utc>) {
        let selected_key: Option<ObjectKey> = self.selected_row().filter(|_| self.moved).map(|row| row.key.clone());
        self.total = all.len();
        let mut rows: Vec<Arc<Row>> = all.into_iter().filter(|row| self.filter.matches(row)).collect();
        let sort = self.sort;
        rows.sort_by(|a, b| sort.compare(a, b));
        self.rows = rows;
        if let Some(key) = selected_key
            && let Some(index) = self.rows.iter().position(|row| row.key == key)
        {
            self.selected = index;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.widths = self.compute_widths(now);
    }

    fn compute_widths(&self, now: DateTime<Utc>) -> Vec<u16> {
        self.columns
            .iter()
            .map(|&column| {
                let title = column.title().width() + 1;
                let widest = match column {
                    // Times are at most "99m59s"-like; no need to measure every row.
                    Column::Age | Column::LastReconcile => 7,
                    Column::Suspended => 5,
                    Column::Ready => 9,
                    // MESSAGE takes what the others leave.
                    Column::Message => 0,
                    _ => self.rows.iter().map(|row| row.cell(column, now).width()).max().unwrap_or(0),
                };
                title.max(widest).min(MAX_COLUMN_WIDTH) as u16
            })
            .collect()
    }

    /// The columns that fit in `total` cells and their widths. Narrow terminals drop the least useful columns
    /// first and squeeze the long ones; MESSAGE takes whatever is left, so the table always fills the width.
    pub fn layout(&self, total: u16) -> Vec<(Column, u16)> {
        let mut visible: Vec<(Column, u16)> =
            self.columns.iter().copied().zip(self.widths.iter().copied().chain(std::iter::repeat(0))).collect();
        // MESSAGE is what people read most: it gets a quarter of the width before optional columns do.
        let message_minimum = minimum_width(Column::Message).max(total / 4);
        let fits = |visible: &[(Column, u16)]| {
            let gaps = visible.len().saturating_sub(1) as u16;
            let others: u16 =
                visible.iter().filter(|(c, _)| *c != Column::Message).map(|(column, _)| minimum_width(*column)).sum();
            others + message_minimum + gaps <= total
        };
        for dropped in DROP_ORDER {
            if fits(&visible) {
                break;
            }
            visible.retain(|(column, _)| *column != dropped);
        }
        let gaps = visible.len().saturating_sub(1) as u16;
        // Squeeze the long columns, one cell at a time from the widest, until MESSAGE has its minimum.
        loop {
            let used: u16 = visible.iter().filter(|(c, _)| *c != Column::Message).map(|(_, w)| *w).sum::<u16>() + gaps;
            if used + message_minimum <= total {
                break;
            }
            let widest = visible
                .iter_mut()
                .filter(|(column, width)| SQUEEZABLE.contains(column) && *width > minimum_width(*column))
                .max_by_key(|(_, width)| *width);
            match widest {
                Some((_, width)) => *width -= 1,
                None => break,
            }
        }
        let used: u16 = visible.iter().filter(|(c, _)| *c != Column::Message).map(|(_, w)| *w).sum::<u16>() + gaps;
        for (column, width) in &mut visible {
            if *column == Column::Message {
                *width = total.saturating_sub(used).max(message_minimum.min(total));
            }
        }
        visible
    }

    /// Moves the selection by `delta` rows, clamped to the table.
    pub fn move_by(&mut self, delta: isize) {
        self.moved = true;
        if self.rows.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.rows.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select(&mut self, index: usize) {
        self.moved = true;
        self.selected = index.min(self.rows.len().saturating_sub(1));
    }

    /// Keeps the selected row inside a window of `height` rows, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, height: usize) {
        if height == 0 {
            return;
        }
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}
