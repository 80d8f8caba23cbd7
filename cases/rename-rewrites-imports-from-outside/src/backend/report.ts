import { greeting } from "../extensions/backend/events/old-name/helpers";

export const report = () => greeting("report");
