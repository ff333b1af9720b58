import { strict as assert } from 'assert';
import { workbenchUrl } from '../../../test/editor/suite/webHost';

describe('editor suite in a VS Code server: workbench URL', () => {
  it('passes the development extension and the tests as vscode-remote URIs in the payload', () => {
    const url = new URL(workbenchUrl('http://127.0.0.1:4567/', { folder: '/repo', extensionPath: '/repo', testsPath: '/repo/out/test/editor/suite/index' }));
    assert.equal(url.searchParams.get('folder'), '/repo');
    assert.deepEqual(JSON.parse(url.searchParams.get('payload')!), [
      ['extensionDevelopmentPath', 'vscode-remote://127.0.0.1:4567/repo'],
      ['extensionTestsPath', 'vscode-remote://127.0.0.1:4567/repo/out/test/editor/suite/index'],
    ]);
  });

  it('omits the tests path for a plain development session', () => {
    const url = new URL(workbenchUrl('http://127.0.0.1:1/', { folder: '/r', extensionPath: '/r' }));
    assert.equal(JSON.parse(url.searchParams.get('payload')!).length, 1);
  });
});
