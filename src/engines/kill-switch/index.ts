export {
  engageKillSwitch,
  type KillResult,
  type KillTarget,
  killTargetId,
  releaseKillSwitch,
} from "./kill-switch.js";
