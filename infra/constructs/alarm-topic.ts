import { CfnCondition, Fn } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** One alarm: at `threshold` (1 by default) or more over one period of the metric, no data being fine. */
export interface AlarmOptions {
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold?: number;
}

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

  /** An alarm under `scope` that notifies this topic. */
  public alarm(scope: Construct, id: string, options: AlarmOptions): Alarm {
    const alarm = new Alarm(scope, id, {
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    return alarm;
  }
}
