import { getRouteApi } from "@tanstack/react-router";
import { CheckInScreen } from "./CheckIn";
import { Groups } from "./Groups";
import { Holidays } from "./Holidays";
import { MyMonth } from "./Month";
import { MonthlyReport } from "./Report";
import { TeamDay } from "./Team";

const month = getRouteApi("/shell/attendance/month");

export function CheckInRoute() {
  return <CheckInScreen />;
}

export function MonthRoute() {
  const { month: m } = month.useSearch();
  return <MyMonth key={m ?? ""} month={m} />;
}

export function TeamRoute() {
  return <TeamDay />;
}

export function GroupsRoute() {
  return <Groups />;
}

export function HolidaysRoute() {
  return <Holidays />;
}

export function ReportRoute() {
  return <MonthlyReport />;
}
