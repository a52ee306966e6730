// Drive: query keys and queries the screens share.
import { useQuery } from "@tanstack/react-query";
import { useCurrentOrg } from "../../lib/org";
import { drive } from "./api";

/** Every drive query starts with this key; a change refetches them all. */
export const driveKey = ["drive"] as const;

export function useSpaces() {
  const org = useCurrentOrg();
  return useQuery({
    queryKey: [...driveKey, "spaces", org?.org_id],
    queryFn: drive.spaces,
    enabled: !!org,
  });
}

export function useDriveSettings() {
  const org = useCurrentOrg();
  return useQuery({
    queryKey: [...driveKey, "settings", org?.org_id],
    queryFn: drive.settings,
    enabled: !!org,
    staleTime: 60_000,
  });
}

export function useFolder(id: string | undefined) {
  return useQuery({
    queryKey: [...driveKey, "children", id],
    queryFn: () => drive.children(id ?? ""),
    enabled: !!id,
  });
}
