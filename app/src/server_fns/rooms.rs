//! Rooms: my rooms, creating one, a room page and its board.

use crate::dto::{AppError, RoomBoardDto, RoomDto, RoomSummaryDto};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;
#[cfg(feature = "ssr")]
use crate::dto::convert;

/// The signed-in user's rooms.
#[server]
pub async fn list_my_rooms() -> Result<Vec<RoomSummaryDto>, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let list = rooms::my_rooms(&core, &user).await?;
        Ok(list
            .iter()
            .map(|r| convert::room_summary(&core, r, &user))
            .collect())
    })
    .await
}

/// Creates a room owned by the signed-in user and opens it.
#[server]
pub async fn create_room(name: String) -> Result<RoomSummaryDto, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let room = rooms::create_room(&core, &user, &name).await?;
        leptos_axum::redirect(&format!("/room/{}", room.name));
        Ok(convert::room_summary(&core, &room, &user))
    })
    .await
}

/// A room page for the current viewer, with its board as the viewer may see it.
#[server]
pub async fn get_room(name: String) -> Result<RoomDto, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let viewer = ssr::viewer(&core).await?;
        let view = rooms::view_room(&core, viewer.as_ref(), &name).await?;
        Ok(convert::room(&core, view, viewer.is_some()))
    })
    .await
}

/// A room's board for the current viewer: its active meetings, the occurrences starting
/// within the upcoming window and, for the owner, the rest of the sync window. The room
/// page asks again every few seconds.
#[server]
pub async fn get_room_board(name: String) -> Result<RoomBoardDto, AppError> {
    ssr::run(async move {
        use roomcal::services::{room_meetings, rooms};
        let core = ssr::core()?;
        let viewer = ssr::viewer(&core).await?;
        let query = rooms::board_query(&core);
        let items = room_meetings::list_meetings(&core, viewer.as_ref(), &name, query).await?;
        Ok(convert::board(&core, items))
    })
    .await
}
