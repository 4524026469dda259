import { CfnCondition, Fn } from 'aws-cdk-lib';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Who receives the alarms by email; may be a token, and an empty value subscribes no one. */
  readonly email?: string;
}

/** The SNS topic every Hearth alarm notifies, with an optional email subscription. */
export class AlarmTopic extends Construct {
  public readonly topic: Topic;

  public constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'Hearth alarms', enforceSSL: true });
    if (props.email === undefined) return;

    // The address is only known at deploy time (a parameter), so the subscription exists only when it is set.
    const hasEmail = new CfnCondition(this, 'HasEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(props.email, '')),
    });
    const subscription = new CfnSubscription(this, 'EmailSubscription', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: props.email,
    });
    subscription.cfnOptions.condition = hasEmail;
  }
}
