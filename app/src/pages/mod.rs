//! One module per page.

mod access_settings;
mod account;
mod auth;
mod co_owners;
mod home;
mod host_controls;
mod knock;
mod meeting;
mod my_rooms;
mod not_found;
mod room;
mod room_board;
mod settings;
mod waiting;
mod webhooks;

pub use crate::response::set_status;
pub use access_settings::AccessSettings;
pub use account::{AccountPage, DeleteRoom};
pub use auth::{SignInPage, SignUpPage};
pub use co_owners::RoomHosts;
pub use home::HomePage;
pub use meeting::MeetingPage;
pub use my_rooms::MyRoomsPage;
pub use not_found::NotFound;
pub use room::RoomPage;
pub use settings::SettingsPage;
pub use waiting::WaitingPage;
pub use webhooks::RoomWebhooks;
