/**
 * A loader candidate measured by bench/loaders.ts only (never shipped): sucrase's register hook
 * (its transform with its own source map, the same as `sucrase/register/ts`), extended to the
 * files our loader takes. See src/coverage/tsLoader.ts for the measurement and the choice.
 */
import { addHook } from 'pirates';
import { transform } from 'sucrase';

addHook(
  (code, filePath) => {
    const out = transform(code, { transforms: ['typescript', 'imports'], filePath, sourceMapOptions: { compiledFilename: filePath } });
    const map = Buffer.from(JSON.stringify({ ...out.sourceMap, sources: [filePath], sourcesContent: [code] })).toString('base64');
    return `${out.code}\n//# sourceMappingURL=data:application/json;base64,${map}`;
  },
  { exts: ['.ts'], matcher: (f) => !/[\\/]node_modules[\\/]/.test(f) && !f.endsWith('.d.ts') },
);
