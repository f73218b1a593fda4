import { checkNotebookTools, NotebookToolsMissingError } from './index.js';

describe('checkNotebookTools', () => {
  test('names the Debian packages to install when jupyter is missing', () => {
    const check = () => checkNotebookTools({ ...process.env, TEACACHE_JUPYTER: '/nonexistent/bin/jupyter' });
    expect(check).toThrow(NotebookToolsMissingError);
    expect(check).toThrow('apt-get install -y jupyter-nbconvert jupyter-client');
  });

  test('finds nbconvert, the teacache kernel and tslab on this machine', () => {
    const tools = checkNotebookTools();
    expect(tools.nbconvert).toMatch(/^\d+\.\d+/);
    expect(tools.tslab).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
