import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, Avatar, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCurrentOrg } from "../../lib/org";
import { useMe } from "../../lib/session";
import { conversationsKey } from "./data";

type Kind = "direct" | "general" | "internal" | "external";

/** NewChat starts a direct chat or a group of one of the three kinds. */
export function NewChat({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const me = useMe().data;
  const org = useCurrentOrg();
  const [kind, setKind] = useState<Kind>("direct");
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<{ id: string; name: string }[]>([]);
  const [name, setName] = useState("");
  const members = useQuery({
    queryKey: ["members", "pick", search],
    queryFn: () => must(api.GET("/api/v1/members", withQuery({ q: search, limit: 20 }))),
    enabled: open && !!org,
  });
  const contacts = useQuery({
    queryKey: ["contacts"],
    queryFn: () => must(api.GET("/api/v1/contacts")),
    enabled: open,
  });
  const candidates = new Map<string, string>();
  if (kind !== "general")
    for (const m of members.data?.items ?? [])
      if (m.account_id !== me?.id) candidates.set(m.account_id, m.display_name);
  if (kind !== "internal")
    for (const c of contacts.data?.items ?? [])
      if (!search || c.name.toLowerCase().includes(search.toLowerCase()))
        candidates.set(c.account_id, c.name);

  const create = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/conversations", {
          body: {
            kind,
            member_ids: picked.map((p) => p.id),
            name: kind === "direct" ? undefined : name || undefined,
          },
        }),
      ),
    onSuccess: async (c) => {
      await qc.invalidateQueries({ queryKey: conversationsKey });
      setPicked([]);
      setName("");
      onClose();
      await navigate({ to: "/chat/$id", params: { id: c.id } });
    },
  });

  const toggle = (id: string, n: string) => {
    if (kind === "direct") setPicked([{ id, name: n }]);
    else
      setPicked(
        picked.some((p) => p.id === id) ? picked.filter((p) => p.id !== id) : [...picked, { id, name: n }],
      );
  };
  const kinds: { id: Kind; label: string; hint: string }[] = [
    { id: "direct", label: t("chat.kind.direct"), hint: t("chat.kindHint.direct") },
    { id: "internal", label: t("chat.kind.internal"), hint: t("chat.kindHint.internal") },
    { id: "external", label: t("chat.kind.external"), hint: t("chat.kindHint.external") },
    { id: "general", label: t("chat.kind.general"), hint: t("chat.kindHint.general") },
  ];

  return (
    <Dialog open={open} title={t("chat.newChat")} onClose={onClose}>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <fieldset className="kind-picker">
          <legend className="field-label">{t("chat.chatKind")}</legend>
          {kinds
            .filter((k) => org || k.id === "direct" || k.id === "general")
            .map((k) => (
              <label key={k.id} className={kind === k.id ? "kind-option selected" : "kind-option"}>
                <input
                  type="radio"
                  name="kind"
                  value={k.id}
                  checked={kind === k.id}
                  onChange={() => {
                    setKind(k.id);
                    setPicked(k.id === "direct" ? picked.slice(0, 1) : picked);
                  }}
                />
                <span>
                  <strong>{k.label}</strong>
                  <span className="field-hint block">{k.hint}</span>
                </span>
              </label>
            ))}
        </fieldset>
        {kind !== "direct" && (
          <Field label={t("chat.groupName")} value={name} onChange={(e) => setName(e.target.value)} />
        )}
        <Field
          label={t("chat.findPeople")}
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          autoComplete="off"
        />
        {picked.length > 0 && (
          <fieldset className="chips">
            <legend className="sr-only">{t("chat.picked")}</legend>
            {picked.map((p) => (
              <button key={p.id} type="button" className="chip" onClick={() => toggle(p.id, p.name)}>
                {p.name} ×
              </button>
            ))}
          </fieldset>
        )}
        <ul className="pick-list" aria-label={t("chat.people")}>
          {[...candidates].map(([id, n]) => (
            <li key={id}>
              <label className="pick">
                <input
                  type={kind === "direct" ? "radio" : "checkbox"}
                  name="person"
                  checked={picked.some((p) => p.id === id)}
                  onChange={() => toggle(id, n)}
                />
                <Avatar name={n} small />
                <span>{n}</span>
              </label>
            </li>
          ))}
        </ul>
        <Alert>{create.error ? errorText(t, create.error) : ""}</Alert>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={picked.length === 0 || create.isPending}
          >
            {kind === "direct" ? t("chat.startChat") : t("chat.createGroup")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
