import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCurrentOrg } from "../../lib/org";
import { conversationsKey } from "./data";
import { type ChatKind, kindHint, kindLabel, type Picked, PickList, usePickCandidates } from "./PickPeople";

/** NewChat starts a direct chat or a group of one of the three kinds. */
export function NewChat({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const org = useCurrentOrg();
  const [kind, setKind] = useState<ChatKind>("direct");
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<Picked[]>([]);
  const [name, setName] = useState("");
  const candidates = usePickCandidates(kind, search, open);

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

  const kinds = (["direct", "internal", "external", "general"] as const).map((id) => ({
    id,
    label: kindLabel(t, id),
    hint: kindHint(t, id),
  }));

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
        <PickList candidates={candidates} picked={picked} single={kind === "direct"} onChange={setPicked} />
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
