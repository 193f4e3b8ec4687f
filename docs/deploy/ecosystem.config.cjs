// pm2 process file for Litbot. From the project folder:
//   pm2 start docs/deploy/ecosystem.config.cjs && pm2 logs litbot
//   pm2 save && pm2 startup     # start it again after a reboot
// It runs the compiled bot with plain node in the project folder (two levels up from this file),
// which reads its settings from .env there.
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..', '..');

module.exports = {
  apps: [
    {
      name: 'litbot',
      cwd: root,
      script: join(root, 'dist', 'src', 'discord', 'start.js'),
      // Rebuilds dist/ first when the sources changed since it was built (after a git pull).
      node_args: ['--import', pathToFileURL(join(root, 'scripts', 'check-build.mjs')).href],
      // pm2 stops with SIGINT, then SIGKILL after kill_timeout: leave the bot its grace period
      // (SHUTDOWN_GRACE_MS, 10 s by default) and time to disconnect.
      kill_timeout: 20000,
      // 78: configuration a restart cannot fix (a missing or rejected token, a refused intent).
      stop_exit_codes: [78],
      restart_delay: 5000,
      max_restarts: 10,
      env: { NODE_ENV: 'production' },
    },
  ],
};
