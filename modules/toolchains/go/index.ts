/** Go toolchain: cross-compiles each target on the engine's native platform. */
import type { Toolchain } from "../toolchain.js"
import { planGo, type GoOptions } from "./plan.js"

export const goToolchain: Toolchain<GoOptions> = { lang: "go", marker: "go.mod", plan: planGo }
export { planGo, type GoOptions } from "./plan.js"
