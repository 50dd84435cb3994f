/**
 * The benchmark's reference program: BENCH_RESOURCES resources in all (the stack, one component
 * and IAM roles with one input each), started the way the program is (same runner, same mock
 * engine, same stack shortcut). What it takes is what the Pulumi SDK itself takes to register
 * that many resources, whatever a program does with them.
 */
import * as pulumi from "@pulumi/pulumi";
import { Role } from "@pulumi/aws/iam/role";
import { leaveSdkPromiseStacksUnmapped } from "../lib/promiseStacks";

class Bare extends pulumi.ComponentResource {
  constructor(name: string) {
    super("bench:index:Bare", name);
    this.registerOutputs({});
  }
}

export = () => {
  leaveSdkPromiseStacksUnmapped();
  const count = Number(process.env.BENCH_RESOURCES);
  const parent = new Bare("bare");
  for (let i = 2; i < count; i++) {
    new Role(`role-${i}`, { assumeRolePolicy: "{}" }, { parent });
  }
};
