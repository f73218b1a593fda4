/**
 * Writes datasets/reference-coefficients/: the rescaling polynomials published with the official TeaCache
 * integrations (ali-vilab/TeaCache) and ComfyUI-TeaCache, one coefficients file per set plus index.json.
 *
 *   npx tsx packages/fit/scripts/build-reference-sets.ts
 *
 * Every coefficient list below is the text of the source file, character for character (`publishedText`);
 * the numbers are parsed from that text, never retyped. Thresholds, speedups and latencies are the ones the
 * integrations' READMEs and code comments state; nothing is derived or estimated here.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import {
  coefficientsFromHighestFirst, TOOLKIT_VERSION, writeCoefficientsFile, writeJsonAtomic,
  type CoefficientsFile, type Indicator, type PublishedReference, type RecommendedThreshold,
} from '@teacache/core';

const OUT = resolve(fileURLToPath(import.meta.url), '../../../../datasets/reference-coefficients');
/** When these sets were copied from their sources. */
const RECORDED_AT = '2026-11-24T00:00:00.000Z';

const UPSTREAM = 'ali-vilab/TeaCache';
// Every list below was first read from a full copy of ali-vilab/TeaCache (zhajingjing/cse585), then found
// character for character in ali-vilab/TeaCache itself at this commit (its latest, 2025-06-08), which is recorded.
const UPSTREAM_COMMIT = '7c10efc4702c6b619f47805f7abe4a7a08085aa0';
const COPY = { repository: 'zhajingjing/cse585', commit: '470d4403d65a4eb9b79eeae7ff84b11826c97343' };
// ComfyUI-TeaCache's latest commit (2025-07-12); its README table changed FLUX-Kontext's end_percent to 0.9 there.
const COMFY = { repository: 'welltop-cn/ComfyUI-TeaCache', commit: '91dff8e31684ca70a5fda309611484402d8fa192' };
const COMFY_TABLE = `${COMFY.repository} README.md (table of recommended rel_l1_thresh, start_percent, end_percent) @ ${COMFY.commit.slice(0, 8)}`;

/** The numbers of a published list, parsed from its text (numpy.poly1d order). */
export function parsePublishedText(text: string): number[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner.split(',').map((s) => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(v)) throw new Error(`not a number in published text: "${s}"`);
    return v;
  });
}

interface SetSpec {
  name: string;
  model: string;
  indicator: Indicator;
  reference: PublishedReference;
  thresholds: RecommendedThreshold[];
}

function upstream(integration: string, path: string, publishedText: string, rest: Partial<PublishedReference> & { indicatorDetail: string },
  readFromCommit = COPY.commit): PublishedReference {
  return {
    integration, repository: UPSTREAM, path, commit: UPSTREAM_COMMIT,
    readFrom: { repository: COPY.repository, path, commit: readFromCommit }, publishedText, ...rest,
  };
}

function comfy(key: string, publishedText: string, rest: Partial<PublishedReference> & { indicatorDetail: string }): PublishedReference {
  return { integration: 'ComfyUI-TeaCache', repository: COMFY.repository, path: 'nodes.py', commit: COMFY.commit, key, publishedText, ...rest };
}

const t = (threshold: number, label: string, source: string, extra: Partial<RecommendedThreshold> = {}): RecommendedThreshold =>
  ({ threshold, label, source, ...extra });
const min = (m: number) => m * 60;

const FIRST_LAST = 'first and last sampling steps always computed';
// ComfyUI's CogVideoX node (nodes_diffusers.py) uses the same 2B and 5B lists; its README recommends one threshold for both.
const COMFY_COGVIDEOX = t(0.3, 'ComfyUI recommended', COMFY_TABLE, {
  speedup: 2, note: 'start_percent 0, end_percent 1; one row "CogVideoX" for both sizes (nodes_diffusers.py holds the same 2B and 5B lists)',
});
const FLUX_TEXT = '[4.98651651e+02, -2.83781631e+02,  5.58554382e+01, -3.82021401e+00, 2.64230861e-01]';
const FLUX_DETAIL = "transformer_blocks[0].norm1(hidden_states, emb=temb): the first block's adaLN-modulated image tokens";
const COGX_5B_TEXT = '[-1.53880483e+03,  8.43202495e+02, -1.34363087e+02,  7.97131516e+00, -5.23162339e-02]';
const COGX_DETAIL = 'emb = time_embedding(time_proj(timestep)): the timestep embedding (the modulated input is not used)';
const LUMINA_V1_TEXT_NEXT = '[393.76566581, -603.50993606,  209.10239044,  -23.00726601,    0.86377344]';

const FLUX_README = `${UPSTREAM} TeaCache4FLUX/README.md`;
const HY_README = `${UPSTREAM} TeaCache4HunyuanVideo/README.md`;
const WAN_README = `${UPSTREAM} TeaCache4Wan2.1/README.md`;
const WAN_A800 = 'single A800 (README "Inference Latency Comparisons" table)';
const WAN_RET_TABLE = 'README use_ret_steps comparison table (hardware not stated)';
const SLOW_FAST = 'slow / fast settings of the paper evaluation (eval/teacache/experiments), VBench prompts';

function wan(name: string, model: string, ret: boolean, key: string, publishedText: string, thresholds: RecommendedThreshold[]): SetSpec {
  return {
    name, model, indicator: 'timestep', thresholds,
    reference: upstream(ret ? 'TeaCache4Wan2.1 (use_ret_steps)' : 'TeaCache4Wan2.1', 'TeaCache4Wan2.1/teacache_generate.py', publishedText, {
      indicatorDetail: ret
        ? 'e0 = time_projection(e): the timestep modulation parameters shared by all blocks'
        : 'e = time_embedding(sinusoidal_embedding_1d(t)): the timestep embedding',
      schedule: ret
        ? 'per guidance branch (cond and uncond keep separate accumulators): the first 5 steps always computed, no cut-off'
        : 'per guidance branch (cond and uncond keep separate accumulators): the first and the last step always computed',
      sameCoefficientsAs: [`ComfyUI-TeaCache "${key}" (${COMFY.repository} nodes.py @ ${COMFY.commit.slice(0, 8)})`],
      notes: [`chosen in teacache_generate.py by the checkpoint directory name (${model.replace('Wan2.1-', '').replace('I2V-14B-', '')})${ret ? ' when --use_ret_steps is given' : ''}`],
    }),
  };
}

export const SETS: SetSpec[] = [
  {
    name: 'teacache4flux', model: 'FLUX.1-dev', indicator: 'modulated',
    reference: upstream('TeaCache4FLUX', 'TeaCache4FLUX/teacache_flux.py', FLUX_TEXT, {
      indicatorDetail: FLUX_DETAIL, schedule: FIRST_LAST,
      sameCoefficientsAs: ['TangoFlux (TeaCache4TangoFlux)', `ComfyUI-TeaCache "flux" (also used for PuLID-FLUX)`],
    }),
    thresholds: [
      t(0.25, '1.5x speedup', FLUX_README, { speedup: 1.5, latencySeconds: 12, baselineLatencySeconds: 18, setting: 'FLUX.1 [dev], 28 steps, single A800' }),
      t(0.4, '1.8x speedup', FLUX_README, { speedup: 1.8, latencySeconds: 10, baselineLatencySeconds: 18, setting: 'FLUX.1 [dev], 28 steps, single A800' }),
      t(0.6, '2.0x speedup', FLUX_README, { speedup: 2.0, latencySeconds: 9, baselineLatencySeconds: 18, setting: 'FLUX.1 [dev], 28 steps, single A800' }),
      t(0.8, '2.25x speedup', FLUX_README, { speedup: 2.25, latencySeconds: 8, baselineLatencySeconds: 18, setting: 'FLUX.1 [dev], 28 steps, single A800' }),
      t(0.4, 'ComfyUI recommended (FLUX)', COMFY_TABLE, { speedup: 2, note: 'start_percent 0, end_percent 1' }),
      t(0.4, 'ComfyUI recommended (PuLID-FLUX)', COMFY_TABLE, { speedup: 1.7, note: 'start_percent 0, end_percent 1' }),
    ],
  },
  {
    name: 'teacache4hunyuanvideo', model: 'HunyuanVideo', indicator: 'modulated',
    reference: upstream('TeaCache4HunyuanVideo', 'TeaCache4HunyuanVideo/teacache_sample_video.py',
      '[7.33226126e+02, -4.01131952e+02,  6.75869174e+01, -3.14987800e+00, 9.61237896e-02]', {
        indicatorDetail: 'modulate(double_blocks[0].img_norm1(img), shift=img_mod1_shift, scale=img_mod1_scale)', schedule: FIRST_LAST,
        sameCoefficientsAs: [`ComfyUI-TeaCache "hunyuan_video"`],
      }),
    thresholds: [
      t(0.1, '1.6x speedup', HY_README, { speedup: 1.6, latencySeconds: min(11), baselineLatencySeconds: min(18), setting: '540p, 129 frames, 50 steps, single A800' }),
      t(0.1, '1.6x speedup', HY_README, { speedup: 1.6, latencySeconds: min(30), baselineLatencySeconds: min(50), setting: '720p, 129 frames, 50 steps, single A800' }),
      t(0.15, '2.1x speedup', HY_README, { speedup: 2.1, latencySeconds: min(8), baselineLatencySeconds: min(18), setting: '540p, 129 frames, 50 steps, single A800' }),
      t(0.15, '2.1x speedup', HY_README, { speedup: 2.1, latencySeconds: min(23), baselineLatencySeconds: min(50), setting: '720p, 129 frames, 50 steps, single A800' }),
      t(0.15, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.9, note: 'start_percent 0, end_percent 1' }),
    ],
  },
  wan('teacache4wan2.1-t2v-1.3b', 'Wan2.1-T2V-1.3B', false, 'wan2.1_t2v_1.3B',
    '[2.39676752e+03, -1.31110545e+03,  2.01331979e+02, -8.29855975e+00, 1.37887774e-01]', [
      t(0.05, 'TeaCache (0.05)', WAN_README, { latencySeconds: 117, baselineLatencySeconds: 175, setting: WAN_A800 }),
      t(0.07, 'TeaCache (0.07)', WAN_README, { latencySeconds: 110, baselineLatencySeconds: 175, setting: WAN_A800 }),
      t(0.08, 'TeaCache (0.08)', WAN_README, { latencySeconds: 88, baselineLatencySeconds: 175, setting: WAN_A800 }),
      t(0.05, 'slow', WAN_README, { latencySeconds: 64, baselineLatencySeconds: 97, setting: WAN_RET_TABLE }),
      t(0.08, 'fast', WAN_README, { latencySeconds: 49, baselineLatencySeconds: 97, setting: WAN_RET_TABLE }),
      t(0.08, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.6, note: 'start_percent 0, end_percent 1' }),
    ]),
  wan('teacache4wan2.1-t2v-14b', 'Wan2.1-T2V-14B', false, 'wan2.1_t2v_14B',
    '[-5784.54975374,  5449.50911966, -1811.16591783,   256.27178429, -13.02252404]', [
      t(0.14, 'TeaCache (0.14)', WAN_README, { latencySeconds: min(38), baselineLatencySeconds: min(55), setting: WAN_A800 }),
      t(0.15, 'TeaCache (0.15)', WAN_README, { latencySeconds: min(30), baselineLatencySeconds: min(55), setting: WAN_A800 }),
      t(0.2, 'TeaCache (0.2)', WAN_README, { latencySeconds: min(27), baselineLatencySeconds: min(55), setting: WAN_A800 }),
      t(0.14, 'slow', WAN_README, { latencySeconds: 1234, baselineLatencySeconds: 1829, setting: WAN_RET_TABLE }),
      t(0.2, 'fast', WAN_README, { latencySeconds: 909, baselineLatencySeconds: 1829, setting: WAN_RET_TABLE }),
      t(0.2, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.8, note: 'start_percent 0, end_percent 1' }),
    ]),
  wan('teacache4wan2.1-i2v-14b-480p', 'Wan2.1-I2V-14B-480P', false, 'wan2.1_i2v_480p_14B',
    '[-3.02331670e+02,  2.23948934e+02, -5.25463970e+01,  5.87348440e+00, -2.01973289e-01]', [
      t(0.13, 'TeaCache (0.13)', WAN_README, { latencySeconds: 464, baselineLatencySeconds: 735, setting: WAN_A800 }),
      t(0.19, 'TeaCache (0.19)', WAN_README, { latencySeconds: 372, baselineLatencySeconds: 735, setting: WAN_A800 }),
      t(0.26, 'TeaCache (0.26)', WAN_README, { latencySeconds: 300, baselineLatencySeconds: 735, setting: WAN_A800 }),
      t(0.13, 'slow', WAN_README, { latencySeconds: 241, baselineLatencySeconds: 385, setting: WAN_RET_TABLE }),
      t(0.26, 'fast', WAN_README, { latencySeconds: 156, baselineLatencySeconds: 385, setting: WAN_RET_TABLE }),
      t(0.26, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.9, note: 'start_percent 0, end_percent 1' }),
    ]),
  wan('teacache4wan2.1-i2v-14b-720p', 'Wan2.1-I2V-14B-720P', false, 'wan2.1_i2v_720p_14B',
    '[-114.36346466,   65.26524496,  -18.82220707,    4.91518089,   -0.23412683]', [
      t(0.18, 'TeaCache (0.18)', WAN_README, { latencySeconds: min(17), baselineLatencySeconds: min(29), setting: WAN_A800 }),
      t(0.2, 'TeaCache (0.2)', WAN_README, { latencySeconds: min(15), baselineLatencySeconds: min(29), setting: WAN_A800 }),
      t(0.3, 'TeaCache (0.3)', WAN_README, { latencySeconds: min(12), baselineLatencySeconds: min(29), setting: WAN_A800 }),
      t(0.2, 'slow', WAN_README, { latencySeconds: 476, baselineLatencySeconds: 903, setting: WAN_RET_TABLE }),
      t(0.3, 'fast', WAN_README, { latencySeconds: 363, baselineLatencySeconds: 903, setting: WAN_RET_TABLE }),
      t(0.25, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.6, note: 'start_percent 0, end_percent 1' }),
    ]),
  wan('teacache4wan2.1-t2v-1.3b-ret-steps', 'Wan2.1-T2V-1.3B', true, 'wan2.1_t2v_1.3B_ret_mode',
    '[-5.21862437e+04, 9.23041404e+03, -5.28275948e+02, 1.36987616e+01, -4.99875664e-02]', [
      t(0.05, 'slow', WAN_README, { latencySeconds: 61, baselineLatencySeconds: 97, setting: WAN_RET_TABLE }),
      t(0.1, 'fast', WAN_README, { latencySeconds: 41, baselineLatencySeconds: 97, setting: WAN_RET_TABLE }),
      t(0.15, 'ComfyUI recommended (ret mode)', COMFY_TABLE, { speedup: 2.2, note: 'start_percent 0.1, end_percent 1' }),
    ]),
  wan('teacache4wan2.1-t2v-14b-ret-steps', 'Wan2.1-T2V-14B', true, 'wan2.1_t2v_14B_ret_mode',
    '[-3.03318725e+05, 4.90537029e+04, -2.65530556e+03, 5.87365115e+01, -3.15583525e-01]', [
      t(0.1, 'slow', WAN_README, { latencySeconds: 915, baselineLatencySeconds: 1829, setting: WAN_RET_TABLE }),
      t(0.2, 'fast', WAN_README, { latencySeconds: 578, baselineLatencySeconds: 1829, setting: WAN_RET_TABLE }),
      t(0.2, 'ComfyUI recommended (ret mode)', COMFY_TABLE, { speedup: 2.1, note: 'start_percent 0.1, end_percent 1' }),
    ]),
  wan('teacache4wan2.1-i2v-14b-480p-ret-steps', 'Wan2.1-I2V-14B-480P', true, 'wan2.1_i2v_480p_14B_ret_mode',
    '[ 2.57151496e+05, -3.54229917e+04,  1.40286849e+03, -1.35890334e+01, 1.32517977e-01]', [
      t(0.2, 'slow', WAN_README, { latencySeconds: 212, baselineLatencySeconds: 385, setting: WAN_RET_TABLE }),
      t(0.3, 'fast', WAN_README, { latencySeconds: 164, baselineLatencySeconds: 385, setting: WAN_RET_TABLE }),
      t(0.3, 'ComfyUI recommended (ret mode)', COMFY_TABLE, { speedup: 2.3, note: 'start_percent 0.1, end_percent 1' }),
    ]),
  wan('teacache4wan2.1-i2v-14b-720p-ret-steps', 'Wan2.1-I2V-14B-720P', true, 'wan2.1_i2v_720p_14B_ret_mode',
    '[ 8.10705460e+03,  2.13393892e+03, -3.72934672e+02,  1.66203073e+01, -4.17769401e-02]', [
      t(0.2, 'slow', WAN_README, { latencySeconds: 430, baselineLatencySeconds: 903, setting: WAN_RET_TABLE }),
      t(0.3, 'fast', WAN_README, { latencySeconds: 340, baselineLatencySeconds: 903, setting: WAN_RET_TABLE }),
      t(0.3, 'ComfyUI recommended (ret mode)', COMFY_TABLE, { speedup: 2, note: 'start_percent 0.1, end_percent 1' }),
    ]),
  {
    name: 'teacache4mochi', model: 'mochi-1-preview', indicator: 'modulated',
    reference: upstream('TeaCache4Mochi', 'TeaCache4Mochi/teacache_mochi.py',
      '[-3.51241319e+03,  8.11675948e+02, -6.09400215e+01,  2.42429681e+00, 3.05291719e-03]', {
        indicatorDetail: 'transformer_blocks[0].norm1(hidden_states, temb): the first block\'s modulated input', schedule: FIRST_LAST,
      }),
    thresholds: [0.06, 0.09].map((th, i) => t(th, ['1.5x speedup', '2.1x speedup'][i], `${UPSTREAM} TeaCache4Mochi/README.md`, {
      speedup: [1.5, 2.1][i], latencySeconds: min([20, 14][i]), baselineLatencySeconds: min(30),
      setting: 'mochi-1-preview, 64 steps, 848x480, 163 frames, single A800',
    })),
  },
  {
    name: 'teacache4ltx-video', model: 'LTX-Video-0.9.1', indicator: 'modulated',
    reference: upstream('TeaCache4LTX-Video', 'TeaCache4LTX-Video/teacache_ltx.py',
      '[2.14700694e+01, -1.28016453e+01,  2.31279151e+00,  7.92487521e-01, 9.69274326e-03]', {
        indicatorDetail: 'transformer_blocks[0].norm1(hidden_states) * (1 + scale_msa) + shift_msa', schedule: FIRST_LAST,
        sameCoefficientsAs: ['ComfyUI-TeaCache "ltxv"'],
      }),
    thresholds: [
      ...[0.03, 0.05].map((th, i) => t(th, ['1.6x speedup', '2.1x speedup'][i], `${UPSTREAM} TeaCache4LTX-Video/README.md`, {
        speedup: [1.6, 2.1][i], latencySeconds: [20, 16][i], baselineLatencySeconds: 32,
        setting: 'LTX-Video-0.9.1, 50 steps, 768x512, 161 frames, single A800',
      })),
      t(0.06, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.7, note: 'start_percent 0, end_percent 1' }),
    ],
  },
  {
    name: 'teacache4cogvideox-2b', model: 'CogVideoX-2b', indicator: 'timestep',
    reference: upstream('TeaCache4CogVideoX', 'TeaCache4CogVideoX1.5/teacache_sample_video.py',
      '[-3.10658903e+01,  2.54732368e+01, -5.92380459e+00,  1.75769064e+00, -3.61568434e-03]', {
        key: 'CogVideoX-2b', indicatorDetail: COGX_DETAIL, schedule: FIRST_LAST,
        sameCoefficientsAs: ['eval/teacache/experiments/cogvideox.py (CogVideoX-2B branch)'],
      }),
    thresholds: [
      t(0.1, 'slow', `${UPSTREAM} eval/teacache/experiments/cogvideox.py`, { setting: SLOW_FAST, note: 'the script picks the 2B or 5B set by model' }),
      t(0.2, 'fast', `${UPSTREAM} eval/teacache/experiments/cogvideox.py`, { setting: SLOW_FAST, note: 'the script picks the 2B or 5B set by model' }),
      COMFY_COGVIDEOX,
    ],
  },
  {
    name: 'teacache4cogvideox-5b', model: 'CogVideoX-5b', indicator: 'timestep',
    reference: upstream('TeaCache4CogVideoX', 'TeaCache4CogVideoX1.5/teacache_sample_video.py', COGX_5B_TEXT, {
      key: 'CogVideoX-5b', indicatorDetail: COGX_DETAIL, schedule: FIRST_LAST,
      sameCoefficientsAs: ['CogVideoX-5b-I2V (same table)', 'ConsisID-preview (TeaCache4ConsisID)',
        'eval/teacache/experiments/cogvideox.py (CogVideoX-5B branch)'],
    }),
    thresholds: [
      t(0.1, 'slow', `${UPSTREAM} eval/teacache/experiments/cogvideox.py`, { setting: SLOW_FAST, note: 'the script picks the 2B or 5B set by model' }),
      t(0.2, 'fast', `${UPSTREAM} eval/teacache/experiments/cogvideox.py`, { setting: SLOW_FAST, note: 'the script picks the 2B or 5B set by model' }),
      COMFY_COGVIDEOX,
    ],
  },
  {
    name: 'teacache4cogvideox1.5-5b', model: 'CogVideoX1.5-5B', indicator: 'timestep',
    reference: upstream('TeaCache4CogVideoX1.5', 'TeaCache4CogVideoX1.5/teacache_sample_video.py',
      '[ 2.50210439e+02, -1.65061612e+02,  3.57804877e+01, -7.81551492e-01, 3.58559703e-02]', {
        key: 'CogVideoX1.5-5B', indicatorDetail: `${COGX_DETAIL}; plus the ofs embedding when the model has one`, schedule: FIRST_LAST,
        notes: ['README news 2025/04/14: "Update coefficients of CogVideoX1.5"; these are the updated ones'],
      }),
    thresholds: [0.1, 0.2, 0.3].map((th, i) => t(th, `${[1.3, 1.8, 2.1][i]}x speedup`, `${UPSTREAM} TeaCache4CogVideoX1.5/README.md`, {
      speedup: [1.3, 1.8, 2.1][i], latencySeconds: [322, 260, 204][i], baselineLatencySeconds: 465,
      setting: 'CogVideoX1.5-5B text-to-video, 50 steps, single H100',
    })),
  },
  {
    name: 'teacache4cogvideox1.5-5b-i2v', model: 'CogVideoX1.5-5B-I2V', indicator: 'timestep',
    reference: upstream('TeaCache4CogVideoX1.5', 'TeaCache4CogVideoX1.5/teacache_sample_video.py',
      '[ 1.22842302e+02, -1.04088754e+02,  2.62981677e+01, -3.06009921e-01, 3.71213220e-02]', {
        key: 'CogVideoX1.5-5B-I2V', indicatorDetail: `${COGX_DETAIL}; plus the ofs embedding when the model has one`, schedule: FIRST_LAST,
        notes: ['README news 2025/04/14: "Update coefficients of CogVideoX1.5"; these are the updated ones'],
      }),
    thresholds: [0.1, 0.2, 0.3].map((th, i) => t(th, `${[1.5, 2.2, 2.7][i]}x speedup`, `${UPSTREAM} TeaCache4CogVideoX1.5/README.md`, {
      speedup: [1.5, 2.2, 2.7][i], latencySeconds: [316, 239, 204][i], baselineLatencySeconds: 475,
      setting: 'CogVideoX1.5-5B image-to-video, 50 steps, single H100',
    })),
  },
  {
    name: 'teacache4consisid', model: 'ConsisID-preview', indicator: 'timestep',
    reference: upstream('TeaCache4ConsisID', 'TeaCache4ConsisID/teacache_sample_video.py', COGX_5B_TEXT, {
      indicatorDetail: COGX_DETAIL, schedule: FIRST_LAST, sameCoefficientsAs: ['CogVideoX-5b (TeaCache4CogVideoX)'],
      notes: ['the README says CogVideoX-5B coefficients can be applied to ConsisID directly'],
    }),
    thresholds: [0.1, 0.15, 0.2].map((th, i) => t(th, `${[1.6, 2.1, 2.7][i]}x speedup`, `${UPSTREAM} TeaCache4ConsisID/README.md`, {
      speedup: [1.6, 2.1, 2.7][i], latencySeconds: [70, 53, 41][i], baselineLatencySeconds: 110,
      setting: 'ConsisID-preview, 50 steps, single H100',
      ...(th === 0.2 ? { note: 'the script\'s comment says 2.5x for 0.2; the README table says 2.7x' } : {}),
    })),
  },
  {
    name: 'teacache4cosmos', model: 'Cosmos-1.0-Diffusion-7B', indicator: 'modulated',
    reference: upstream('TeaCache4Cosmos', 'TeaCache4Cosmos/teacache_sample_video_t2v.py',
      '[2.71156237e+02, -9.19775607e+01, 2.24437250e+00, 2.08355751e+00, 1.41776330e-01]', {
        indicatorDetail: 'adaln_norm_state(blocks["block0"].blocks[0].norm_state, x, scale, shift): the first block\'s modulated input',
        schedule: 'per guidance branch (separate accumulators): the first and the last step always computed',
        sameCoefficientsAs: ['Cosmos-1.0-Diffusion-7B-Video2World (TeaCache4Cosmos/teacache_sample_video_i2v.py, same list)'],
      }),
    thresholds: [
      ...[0.3, 0.4].map((th, i) => t(th, `${[1.4, 2.0][i]}x speedup`, `${UPSTREAM} TeaCache4Cosmos/README.md`, {
        speedup: [1.4, 2.0][i], latencySeconds: [327, 227][i], baselineLatencySeconds: 449, setting: 'Cosmos text-to-video, single H800',
      })),
      ...[0.3, 0.4].map((th, i) => t(th, `${[1.4, 2.0][i]}x speedup`, `${UPSTREAM} TeaCache4Cosmos/README.md`, {
        speedup: [1.4, 2.0][i], latencySeconds: [330, 229][i], baselineLatencySeconds: 453, setting: 'Cosmos image-to-video, single H800',
      })),
    ],
  },
  {
    name: 'teacache4lumina-next', model: 'Lumina-Next-SFT', indicator: 'modulated',
    reference: upstream('TeaCache4Lumina-T2X', 'TeaCache4Lumina-T2X/teacache_lumina_next.py', LUMINA_V1_TEXT_NEXT, {
      indicatorDetail: 'layers[0].norm1(hidden_states, temb): the first layer\'s modulated input', schedule: FIRST_LAST,
      sameCoefficientsAs: ['Lumina-Image-2.0 "v1" (TeaCache4Lumina2)'],
    }),
    thresholds: [0.2, 0.3, 0.4, 0.5].map((th, i) => t(th, `${[1.5, 1.9, 2.4, 2.8][i]}x speedup`, `${UPSTREAM} TeaCache4Lumina-T2X/README.md`, {
      speedup: [1.5, 1.9, 2.4, 2.8][i], latencySeconds: [11, 9, 7, 6][i], baselineLatencySeconds: 17,
      setting: 'Lumina-Next-SFT, 30 steps, single A800',
    })),
  },
  {
    name: 'teacache4lumina2-v1', model: 'Lumina-Image-2.0', indicator: 'modulated',
    reference: upstream('TeaCache4Lumina2', 'TeaCache4Lumina2/teacache_lumina2.py',
      '[393.76566581, -603.50993606, 209.10239044, -23.00726601, 0.86377344]', {
        key: 'v1', indicatorDetail: 'layers[0].norm1(main-loop input, temb): the first layer\'s modulated input',
        schedule: `${FIRST_LAST}; one cache per sequence length (guidance branches differ in length)`,
        sameCoefficientsAs: ['Lumina-Next-SFT (TeaCache4Lumina-T2X)'],
        notes: ['README: v1 has poor quality at low thresholds but does better at high ones, more slowly'],
      }),
    thresholds: [0.2, 0.3, 0.4, 0.5].map((th, i) => t(th, `${[1.25, 1.5625, 2.0833, 2.5][i]}x speedup`, `${UPSTREAM} TeaCache4Lumina2/README.md`, {
      speedup: [1.25, 1.5625, 2.0833, 2.5][i], latencySeconds: [20, 16, 12, 10][i], baselineLatencySeconds: 25,
      setting: 'Lumina-Image-2.0, 50 steps, single 4090 (v1 table)',
    })),
  },
  {
    name: 'teacache4lumina2-v2', model: 'Lumina-Image-2.0', indicator: 'modulated',
    reference: upstream('TeaCache4Lumina2', 'TeaCache4Lumina2/teacache_lumina2.py',
      '[225.7042019806413, -608.8453716535591, 304.1869942338369, 124.21267720116742, -1.4089066892956552]', {
        key: 'v2', indicatorDetail: 'layers[0].norm1(main-loop input, temb): the first layer\'s modulated input',
        schedule: `${FIRST_LAST}; one cache per sequence length (guidance branches differ in length)`,
        notes: ['published in a code comment ("you can switch it to ... as v2") and in the README',
          'README: v2 is faster and better at low thresholds but loses features at high ones'],
      }),
    thresholds: [0.2, 0.3, 0.5, 1.1].map((th, i) => t(th, `${[1.5, 1.6, 1.8, 2.1][i]}x speedup`, `${UPSTREAM} TeaCache4Lumina2/README.md`, {
      speedup: [1.5, 1.6, 1.8, 2.1][i], latencySeconds: [16.7, 15.6, 13.79, 11.9][i], baselineLatencySeconds: 25,
      setting: 'Lumina-Image-2.0, 50 steps, single 4090 (v2 table)',
    })),
  },
  {
    name: 'teacache4hidream-i1-full', model: 'HiDream-I1-Full', indicator: 'timestep',
    reference: upstream('TeaCache4HiDream-I1', 'TeaCache4HiDream-I1/teacache_hidream_i1.py',
      '[-3.13605009e+04, -7.12425503e+02, 4.91363285e+01, 8.26515490e+00, 1.08053901e-01]', {
        indicatorDetail: 't_embedder(timesteps): the timestep embedding',
        schedule: 'the first 10% of the steps always computed (ret_steps = 0.1 * steps); no forced last step',
        sameCoefficientsAs: ['ComfyUI-TeaCache "hidream_i1_full"'],
      }),
    thresholds: [
      ...[0.17, 0.25, 0.3, 0.45].map((th, i) => t(th, `${[1.5, 1.7, 2.0, 2.6][i]}x speedup`, `${UPSTREAM} TeaCache4HiDream-I1/README.md`, {
        speedup: [1.5, 1.7, 2.0, 2.6][i], latencySeconds: [34, 29, 25, 19][i], baselineLatencySeconds: 50,
        setting: 'HiDream-I1-Full, 50 steps, guidance 5, single A100',
      })),
      t(0.35, 'ComfyUI recommended', COMFY_TABLE, { speedup: 2, note: 'start_percent 0.1, end_percent 1' }),
    ],
  },
  {
    name: 'teacache4tangoflux', model: 'TangoFlux', indicator: 'modulated',
    reference: upstream('TeaCache4TangoFlux', 'TeaCache4TangoFlux/teacache_tango_flux.py', FLUX_TEXT, {
      indicatorDetail: FLUX_DETAIL, schedule: FIRST_LAST, sameCoefficientsAs: ['FLUX.1-dev (TeaCache4FLUX)'],
      notes: ['text-to-audio; the top README says FLUX coefficients can be applied to TangoFlux directly'],
    }),
    thresholds: [0.25, 0.4].map((th, i) => t(th, `${[1.7, 2.1][i]}x speedup`, `${UPSTREAM} TeaCache4TangoFlux/README.md`, {
      speedup: [1.7, 2.1][i], latencySeconds: [2.42, 1.95][i], baselineLatencySeconds: 4.08,
      setting: 'TangoFlux, 50 steps, 10 s of audio, single A800',
      note: 'speedups from the code comment in teacache_tango_flux.py, latencies from the README',
    })),
  },
  {
    name: 'teacache-open-sora', model: 'Open-Sora 1.2', indicator: 'modulated',
    reference: upstream('TeaCache4Open-Sora (VideoSys)', 'eval/teacache/experiments/opensora.py',
      '[2.17546007e+02, -1.18329252e+02,  2.68662585e+01, -4.59364272e-02, 4.84426240e-02]', {
        indicatorDetail: 't2i_modulate(spatial_blocks[0].norm1(x), shift_msa, scale_msa): the first spatial block\'s modulated input',
        schedule: FIRST_LAST,
        notes: ['cross-checked against wallkop/TeaCache eval/teacache/experiments/opensora.py @ 202ae9fd (same list)',
          'the model is whatever VideoSys OpenSoraConfig() loads by default (Open-Sora 1.2 in the paper)'],
      }),
    thresholds: [t(0.1, 'slow', `${UPSTREAM} eval/teacache/experiments/opensora.py`, { setting: SLOW_FAST }),
      t(0.2, 'fast', `${UPSTREAM} eval/teacache/experiments/opensora.py`, { setting: SLOW_FAST })],
  },
  {
    name: 'teacache-latte', model: 'Latte', indicator: 'modulated',
    reference: upstream('TeaCache4Latte (VideoSys)', 'eval/teacache/experiments/latte.py',
      '[-2.46434137e+03,  3.08044764e+02,  8.07447667e+01, -4.11385132e+00, 1.11001402e-01]', {
        indicatorDetail: 'transformer_blocks[0].norm1(hidden_states) * (1 + scale_msa) + shift_msa',
        schedule: FIRST_LAST,
        notes: ['cross-checked against wallkop/TeaCache eval/teacache/experiments/latte.py @ 21ea48e7 (same list)',
          'the model is whatever VideoSys LatteConfig() loads by default'],
      }),
    thresholds: [t(0.1, 'slow', `${UPSTREAM} eval/teacache/experiments/latte.py`, { setting: SLOW_FAST }),
      t(0.2, 'fast', `${UPSTREAM} eval/teacache/experiments/latte.py`, { setting: SLOW_FAST })],
  },
  {
    name: 'teacache-open-sora-plan', model: 'Open-Sora-Plan v1.1.0 65x512x512', indicator: 'modulated',
    reference: upstream('TeaCache4Open-Sora-Plan (VideoSys)', 'eval/teacache/experiments/opensora_plan.py',
      '[2.05943668e+05, -1.48759286e+04,  3.06085986e+02,  1.31418080e+00, 2.39658469e-03]', {
        indicatorDetail: 'transformer_blocks[0].norm1(hidden_states) * (1 + scale_msa) + shift_msa',
        schedule: FIRST_LAST,
        notes: ['cross-checked against wallkop/TeaCache eval/teacache/experiments/opensora_plan.py @ 1cf683a0 (same list)',
          'the paper reports up to 4.41x acceleration over Open-Sora-Plan (abstract, arXiv 2411.19108)'],
      }, '21b8e646db2efdd963deb4a8bda23e956390c331'),
    thresholds: [t(0.1, 'slow', `${UPSTREAM} eval/teacache/experiments/opensora_plan.py`, { setting: SLOW_FAST }),
      t(0.2, 'fast', `${UPSTREAM} eval/teacache/experiments/opensora_plan.py`, { setting: SLOW_FAST })],
  },
  {
    name: 'comfyui-flux-kontext', model: 'FLUX-Kontext', indicator: 'modulated',
    reference: comfy('flux-kontext', '[-1.04655119e+03, 3.12563399e+02, -1.69500694e+01, 4.10995971e-01, 3.74537863e-02]', {
      indicatorDetail: 'apply_mod(double_blocks[0].img_norm1(img), 1 + img_mod1.scale, img_mod1.shift): the first block\'s modulated image tokens',
      schedule: 'steps outside the node\'s start_percent..end_percent window always computed',
      notes: ['this version of the FLUX forward accumulates the absolute value of the polynomial'],
    }),
    thresholds: [t(0.22, 'ComfyUI recommended', COMFY_TABLE, { speedup: 2, note: 'start_percent 0.2, end_percent 0.9' })],
  },
  {
    name: 'comfyui-lumina-2', model: 'Lumina-Image-2.0', indicator: 'timestep',
    reference: comfy('lumina_2', '[-8.74643948e+02, 4.66059906e+02, -7.51559762e+01, 5.32836175e+00, -3.27258296e-02]', {
      indicatorDetail: 't_embedder(1 - timesteps): the timestep embedding',
      schedule: 'one accumulator per guidance branch, the stack computed when either branch asks; start_percent..end_percent window',
      notes: ['differs from both TeaCache4Lumina2 sets (v1, v2)'],
    }),
    thresholds: [t(0.38, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.7, note: 'start_percent 0.2, end_percent 1' })],
  },
  {
    name: 'comfyui-hidream-i1-dev', model: 'HiDream-I1-Dev', indicator: 'noisy',
    reference: comfy('hidream_i1_dev', '[1.39997273, -4.30130469, 5.01534416, -2.20504164, 0.93942874]', {
      indicatorDetail: 'x_embedder(patchified latent): the embedded noisy input tokens (the code uses them for HiDream types without "full")',
      schedule: 'one accumulator per guidance branch, the stack computed when either branch asks; start_percent..end_percent window',
    }),
    thresholds: [t(1, 'ComfyUI recommended', COMFY_TABLE, { speedup: 2, note: 'start_percent 0, end_percent 1' })],
  },
  {
    name: 'comfyui-hidream-i1-fast', model: 'HiDream-I1-Fast', indicator: 'noisy',
    reference: comfy('hidream_i1_fast', '[2.26509623, -6.88864563, 7.61123826, -3.10849353, 0.99927602]', {
      indicatorDetail: 'x_embedder(patchified latent): the embedded noisy input tokens (the code uses them for HiDream types without "full")',
      schedule: 'one accumulator per guidance branch, the stack computed when either branch asks; start_percent..end_percent window',
    }),
    thresholds: [t(1.5, 'ComfyUI recommended', COMFY_TABLE, { speedup: 1.7, note: 'start_percent 0, end_percent 0.9' })],
  },
];

function toFile(spec: SetSpec): CoefficientsFile {
  const highestFirst = parsePublishedText(spec.reference.publishedText);
  const ref = spec.reference;
  const copy = ref.readFrom && ref.readFrom.repository !== ref.repository
    ? ` (first read from the copy in ${ref.readFrom.repository}@${ref.readFrom.commit.slice(0, 8)})` : '';
  const where = `${ref.commit ? `@${ref.commit.slice(0, 8)}` : ''}${copy}`;
  return {
    format: 'teacache-coefficients', version: 1, origin: 'published', model: spec.model, weightsHash: '',
    indicator: spec.indicator, target: 'output', degree: highestFirst.length - 1,
    coefficients: coefficientsFromHighestFirst(highestFirst),
    xRange: null, sampleCount: null, statistics: null,
    recommendedThresholds: spec.thresholds,
    sources: [],
    provenance: `${ref.repository} ${ref.path}${ref.key ? ` ["${ref.key}"]` : ''}${where}`,
    reference: ref,
    toolkitVersion: TOOLKIT_VERSION, createdAt: RECORDED_AT,
  };
}

function main(): void {
  const names = new Set<string>();
  mkdirSync(OUT, { recursive: true });
  for (const name of readdirSync(OUT, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json'))) {
    rmSync(join(OUT, name.name));
  }
  for (const spec of SETS) {
    if (names.has(spec.name)) throw new Error(`duplicate set name ${spec.name}`);
    names.add(spec.name);
    writeCoefficientsFile(join(OUT, `${spec.name}.json`), toFile(spec));
  }
  writeJsonAtomic(join(OUT, 'index.json'), {
    format: 'teacache-reference-index', version: 1,
    description: 'Rescaling polynomials published with the TeaCache integrations (ali-vilab/TeaCache) and ComfyUI-TeaCache. ' +
      'Written by packages/fit/scripts/build-reference-sets.ts; each file names its source in provenance and reference.',
    sets: SETS.map((s) => ({ file: `${s.name}.json`, model: s.model, integration: s.reference.integration })),
  });
  process.stdout.write(`wrote ${SETS.length} sets and index.json to ${OUT}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
