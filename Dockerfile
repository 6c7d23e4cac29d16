# One image for both processes; docker-compose.yml picks the command. Node 20 LTS, as the project targets.
FROM node:20-bookworm-slim
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc turbo.json tsconfig.base.json biome.json jest.preset.js ./
COPY prisma ./prisma
COPY packages ./packages
COPY apps ./apps
COPY tests/package.json ./tests/package.json
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npx turbo run build
ENV NODE_ENV=production
EXPOSE 3000 3001
# The heap cap keeps memory flat under load (see scripts/app-command.js).
CMD ["node", "--max-old-space-size=192", "apps/api/dist/main.js"]
