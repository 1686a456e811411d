# TensorFlow 0.11 idioms in one script, for tests/test_legacy.py, which runs it as
#   python -m tfgraph.legacy old_basics.py --exit_code=3 extra
# from a folder holding numbers.txt, and checks what it prints and writes there.
from __future__ import print_function

import numpy as np
import tensorflow as tf

import old_helpers

flags = tf.app.flags
flags.DEFINE_integer("exit_code", 0, "exit status to return")
flags.DEFINE_string("logdir", "old_logs", "folder for the summaries")
FLAGS = flags.FLAGS


def main(argv):
    print("name:", __name__)
    print("args:", argv[1:])

    # Placeholders of type "float", and tf.mul
    a = tf.placeholder("float")
    b = tf.placeholder("float")
    product = tf.mul(a, b)

    # A straight line fitted by gradient descent, with 0.x summaries
    np.random.seed(0)
    xs = np.linspace(-1, 1, 200)
    ys = 3 * xs - 1 + np.random.randn(*xs.shape) * 0.1
    X = tf.placeholder("float")
    Y = tf.placeholder("float")
    slope = tf.Variable(0.0, name="slope")
    offset = tf.Variable(0.0, name="offset")
    loss = tf.reduce_mean(tf.square(Y - tf.add(tf.mul(X, slope), offset)))
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    tf.scalar_summary("loss", loss)
    tf.histogram_summary("slope", slope)
    summaries = tf.merge_all_summaries()

    # Arrays glued and cut in the old argument order
    glued = tf.concat(1, [tf.ones([2, 2]), tf.zeros([2, 3])])
    halves = tf.split(0, 2, tf.reshape(tf.range(6), [2, 3]))
    total = old_helpers.weighted_total(tf.constant([1.0, 2.0, 3.0]), 2.0)

    with tf.Session() as sess:
        print("product: %.1f" % sess.run(product, feed_dict={a: 2, b: 3}))
        writer = tf.train.SummaryWriter(FLAGS.logdir, sess.graph)
        tf.initialize_all_variables().run()
        for i in range(100):
            _, summary = sess.run([step, summaries], feed_dict={X: xs, Y: ys})
            writer.add_summary(summary, i)
        writer.close()
        print("fit: y = %.2f x + %.2f" % (sess.run(slope), sess.run(offset)))
        saver = tf.train.Saver(tf.all_variables())
        if not tf.gfile.Exists("checkpoints"):
            tf.gfile.MakeDirs("checkpoints")
        saver.save(sess, "checkpoints/line.ckpt")
        print("glued:", glued.get_shape()[1].value)
        print("halves:", [h.tolist() for h in sess.run(halves)])
        print("total: %.1f" % sess.run(total))

    with tf.Session() as sess:
        saver.restore(sess, "checkpoints/line.ckpt")
        print("restored: %.2f" % sess.run(slope))

    with tf.gfile.Open("numbers.txt") as f:
        numbers = [float(word) for word in f.read().split()]
    print("numbers: %.1f" % tf.InteractiveSession().run(tf.reduce_sum(numbers)))
    return FLAGS.exit_code


if __name__ == "__main__":
    tf.app.run()
