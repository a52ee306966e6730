import { getRouteApi } from "@tanstack/react-router";
import { Chat } from "./Chat";

const conv = getRouteApi("/shell/chat/$id");
const search = getRouteApi("/shell/chat/search");

export function ChatIndexRoute() {
  return <Chat />;
}

export function ChatConversationRoute() {
  const { id } = conv.useParams();
  const { at } = conv.useSearch();
  return <Chat id={id} at={at} />;
}

export function ChatSearchRoute() {
  return <Chat search conversation={search.useSearch().conversation} />;
}

export function ChatSavedRoute() {
  return <Chat saved />;
}
