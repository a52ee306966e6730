// The server state one open conversation shows: the conversation, its
// window of history, and its members with their read positions.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, must } from "../../api/client";
import { withQueued } from "../../lib/offline";
import { usePeople } from "../../lib/people";
import { keepReadPositions, loadAround, loadLatest, type MemberList, membersKey, messagesKey } from "./data";

/** useConversationData loads a conversation, its history window and its members. */
export function useConversationData(id: string, at: string | undefined) {
  const qc = useQueryClient();
  const conv = useQuery({
    queryKey: ["conversation", id],
    queryFn: () => must(api.GET("/api/v1/conversations/{id}", { params: { path: { id } } })),
  });
  const win = useQuery({
    queryKey: messagesKey(id),
    // Messages written offline and still waiting show at the end.
    queryFn: async () => withQueued(id, await (at ? loadAround(id, at) : loadLatest(id))),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const members = useQuery({
    queryKey: membersKey(id),
    queryFn: async () =>
      keepReadPositions(
        qc.getQueryData<MemberList>(membersKey(id)),
        (await must(
          api.GET("/api/v1/conversations/{id}/members", { params: { path: { id } } }),
        )) as MemberList,
      ),
  });
  const items = win.data?.items ?? [];
  const byId = useMemo(() => new Map(items.map((m) => [m.id, m])), [items]);
  const memberList = members.data?.items ?? [];
  const people = usePeople([...items.map((m) => m.sender_id), ...memberList.map((m) => m.account_id)]);
  return { conv, win, members: memberList, items, byId, people };
}
