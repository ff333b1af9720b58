// Standard route for contributors with internet: `npx vscode-test --label editor`
// (@vscode/test-cli downloads a VS Code build). Offline, `npm run test:editor` drives code-server
// instead; both run the same compiled suite in out/test/editor/suite.
// Set VSCODE_EXECUTABLE to use an installed VS Code instead of downloading one.
import { defineConfig } from '@vscode/test-cli';

const common = {
  files: 'out/test/editor/suite/**/*.test.js',
  workspaceFolder: '.',
  extensionDevelopmentPath: '.',
  version: process.env.VSCODE_TEST_VERSION ?? 'stable',
  ...(process.env.VSCODE_EXECUTABLE ? { useInstallation: { fromPath: process.env.VSCODE_EXECUTABLE } } : {}),
  mocha: { ui: 'bdd', timeout: 180000, color: true },
};

export default defineConfig([
  // Trusted workspace: the full suite.
  { label: 'editor', ...common, launchArgs: ['--disable-extensions', '--disable-workspace-trust'] },
  // Fresh profile, trust on: the folder opens untrusted and only the restricted-mode suite is declared.
  { label: 'editor-untrusted', ...common, launchArgs: ['--disable-extensions'] },
]);
