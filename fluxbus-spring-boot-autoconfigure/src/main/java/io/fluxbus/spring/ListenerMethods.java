package io.fluxbus.spring;

import io.fluxbus.ConfigException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Finds {@link FluxbusListener} methods on beans as they are initialized and checks them at once, so a wrong
 * signature or pattern fails startup naming the method; {@link FluxbusLifecycle} subscribes them when the bus
 * starts. Thread-safe.
 */
final class ListenerMethods implements BeanPostProcessor, BeanFactoryAware {

  private final List<ListenerDefinition> found = new CopyOnWriteArrayList<>();
  private ConfigurableBeanFactory beanFactory;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory instanceof ConfigurableBeanFactory configurable ? configurable : null;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
    Class<?> type = AopUtils.getTargetClass(bean);
    if (!AnnotationUtils.isCandidateClass(type, FluxbusListener.class)) {
      return bean;
    }
    Map<Method, FluxbusListener> methods = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<FluxbusListener>) method ->
            AnnotatedElementUtils.findMergedAnnotation(method, FluxbusListener.class));
    methods.forEach((method, annotation) -> add(ListenerDefinition.of(bean, beanName, method,
        AopUtils.selectInvocableMethod(method, bean.getClass()), annotation, this::resolve)));
    return bean;
  }

  private synchronized void add(ListenerDefinition listener) {
    for (ListenerDefinition other : found) {
      if (other.id().equals(listener.id())) {
        throw new ConfigException(listener.where() + ": id '" + listener.id() + "' is taken by " + other.where()
            + "; listener ids are unique");
      }
    }
    found.add(listener);
  }

  private String resolve(String value) {
    return beanFactory == null || value == null ? value : beanFactory.resolveEmbeddedValue(value);
  }

  /** The listeners found so far, in the order their beans were initialized. */
  List<ListenerDefinition> definitions() {
    return List.copyOf(found);
  }
}
