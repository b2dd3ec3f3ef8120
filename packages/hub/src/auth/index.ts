// What `vigil user` needs, without loading the hub's server code.
export { hashPassword, verifyPassword } from './password.ts';
export {
  type ConsoleUser,
  parseUsersFile,
  ROLES,
  type Role,
  USER_NAME,
  type UsersFile,
} from './users-file.ts';
