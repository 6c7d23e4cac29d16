import { jestConfig } from "../../jest.preset.js";

// Integration: its tests need PostgreSQL (the test setup starts an embedded one when none answers).
export default jestConfig(import.meta.dirname, { integration: true });
