// The subset of GitLab's GraphQL schema the fake serves (names, types,
// nullability and argument defaults as GitLab declares them; see
// ../shared/gitlab-runner-api.md §7). Resolvers are attached in schema.ts.
export const SDL = /* GraphQL */ `
scalar Time
scalar CiRunnerID

enum CiRunnerType { INSTANCE_TYPE GROUP_TYPE PROJECT_TYPE }
enum CiRunnerStatus { ONLINE OFFLINE STALE NEVER_CONTACTED }
enum CiRunnerAccessLevel { NOT_PROTECTED REF_PROTECTED }
enum CiRunnerMembershipFilter { DIRECT DESCENDANTS ALL_AVAILABLE }
enum CiRunnerSort { CONTACTED_ASC CONTACTED_DESC CREATED_ASC CREATED_DESC TOKEN_EXPIRES_AT_ASC TOKEN_EXPIRES_AT_DESC }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type RunnerPermissions {
  readRunner: Boolean!
  updateRunner: Boolean!
  deleteRunner: Boolean!
  assignRunner: Boolean!
}

enum CiRunnerJobExecutionStatus { ACTIVE IDLE }
enum CiRunnerCreationMethod { AUTHENTICATED_USER REGISTRATION_TOKEN }

type CiRunnerManager {
  id: ID!
  systemId: String!
  status: CiRunnerStatus!
  contactedAt: Time
  createdAt: Time
  version: String
  revision: String
  platformName: String
  architectureName: String
  ipAddress: String
  jobExecutionStatus: CiRunnerJobExecutionStatus
}
type CiRunnerManagerEdge { cursor: String! node: CiRunnerManager }
type CiRunnerManagerConnection { count: Int! edges: [CiRunnerManagerEdge] nodes: [CiRunnerManager] pageInfo: PageInfo! }

type CiRunner {
  id: CiRunnerID!
  description: String
  paused: Boolean!
  locked: Boolean
  runUntagged: Boolean!
  tagList: [String!]
  accessLevel: CiRunnerAccessLevel!
  maximumTimeout: Int
  maintenanceNote: String
  status: CiRunnerStatus!
  contactedAt: Time
  createdAt: Time
  tokenExpiresAt: Time
  creationMethod: CiRunnerCreationMethod
  runnerType: CiRunnerType!
  ownerProject: Project
  groups(first: Int, after: String, last: Int, before: String): GroupConnection
  projects(search: String, sort: String = "id_asc", first: Int, after: String, last: Int, before: String): ProjectConnection
  projectCount: Int
  managers(first: Int, after: String, last: Int, before: String): CiRunnerManagerConnection
  userPermissions: RunnerPermissions!
}
type CiRunnerEdge { cursor: String! node: CiRunner }
type CiRunnerConnection { count: Int! edges: [CiRunnerEdge] nodes: [CiRunner] pageInfo: PageInfo! }

type Metadata {
  version: String!
  revision: String!
  enterprise: Boolean!
}

type Group {
  id: ID!
  allowStaleRunnerPruning: Boolean!
  fullPath: ID!
  fullName: String!
  name: String!
  path: String!
  webUrl: String!
  parent: Group
  runners(
    membership: CiRunnerMembershipFilter = DESCENDANTS
    type: CiRunnerType
    paused: Boolean
    status: CiRunnerStatus
    tagList: [String!]
    search: String
    sort: CiRunnerSort
    first: Int, after: String, last: Int, before: String
  ): CiRunnerConnection
  descendantGroups(includeParentDescendants: Boolean = true, search: String, first: Int, after: String, last: Int, before: String): GroupConnection
  projects(includeSubgroups: Boolean = false, search: String, first: Int, after: String, last: Int, before: String): ProjectConnection
}
type GroupEdge { cursor: String! node: Group }
type GroupConnection { count: Int! edges: [GroupEdge] nodes: [Group] pageInfo: PageInfo! }

type Project {
  id: ID!
  fullPath: ID!
  name: String!
  path: String!
  nameWithNamespace: String!
  webUrl: String
  group: Group
  sharedRunnersEnabled: Boolean
  runners(
    type: CiRunnerType
    paused: Boolean
    status: CiRunnerStatus
    tagList: [String!]
    search: String
    sort: CiRunnerSort
    first: Int, after: String, last: Int, before: String
  ): CiRunnerConnection
}
type ProjectEdge { cursor: String! node: Project }
type ProjectConnection { count: Int! edges: [ProjectEdge] nodes: [Project] pageInfo: PageInfo! }

type UserCore {
  id: ID!
  username: String!
  name: String!
}

type Query {
  currentUser: UserCore
  metadata: Metadata
  group(fullPath: ID!): Group
  groups(ids: [ID!], search: String, sort: String = "name_asc", first: Int, after: String, last: Int, before: String): GroupConnection
  project(fullPath: ID!): Project
  projects(fullPaths: [String!], ids: [ID!], search: String, membership: Boolean, sort: String, first: Int, after: String, last: Int, before: String): ProjectConnection
  runner(id: CiRunnerID!): CiRunner
  runners(type: CiRunnerType, paused: Boolean, status: CiRunnerStatus, tagList: [String!], search: String, sort: CiRunnerSort, first: Int, after: String, last: Int, before: String): CiRunnerConnection
}
`;

/**
 * Fields GitLab backs with a resolver class: their complexity is `children + r`
 * (r: 1, +1 with sort, +5 with search), times the page multiplier when they
 * are connections. Every other field is `1 + children`.
 */
export const RESOLVER_FIELDS = new Set([
  'Query.group',
  'Query.groups',
  'Query.project',
  'Query.projects',
  'Query.runner',
  'Query.runners',
  'Group.runners',
  'Group.projects',
  'Project.runners',
  'CiRunner.groups',
  'CiRunner.projects',
  'CiRunner.managers',
]);

/** Fields with a constant complexity of their own (plus children). */
export const CONSTANT_FIELDS = new Map([['Group.descendantGroups', 5]]);
