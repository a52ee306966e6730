// Route components of the sign-in pages: read the URL's search parameters
// and hand them to the screens.
import { getRouteApi } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Login } from "./Login";
import { Register } from "./Register";
import { ResetPassword } from "./ResetPassword";

const login = getRouteApi("/login");
const register = getRouteApi("/register");
const reset = getRouteApi("/reset-password");

export function LoginRoute() {
  const { t } = useTranslation();
  const { next, email, notice } = login.useSearch();
  const notices: Record<string, string> = {
    password_reset: t("auth.passwordResetDone"),
    signed_out: t("auth.signedOut"),
    account_deleted: t("auth.accountDeleted"),
  };
  const text = notice ? notices[notice] : undefined;
  return <Login next={next} email={email} notice={text} />;
}

export function RegisterRoute() {
  return <Register {...register.useSearch()} />;
}

export function ResetRoute() {
  return <ResetPassword {...reset.useSearch()} />;
}
